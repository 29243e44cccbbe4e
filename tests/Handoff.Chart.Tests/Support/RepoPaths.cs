namespace Handoff.Chart.Tests.Support;

/// <summary>Paths inside the repository the tests run from (the folder holding Handoff.sln).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "handoff");

    public static string ChartCrds => Path.Combine(Chart, "crds");

    public static string Crds => Path.Combine(Root, "crds");

    public static string TestValues => Path.Combine(Root, "tests", "Handoff.Chart.Tests", "values");

    public static string BadValues => Path.Combine(Root, "tests", "Handoff.Chart.Tests", "bad-values");

    public static string RequiredPermissions => Path.Combine(Root, "src", "Handoff.Operator", "Rbac", "required-permissions.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Handoff.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Handoff.sln not found above {AppContext.BaseDirectory}.");
    }
}
