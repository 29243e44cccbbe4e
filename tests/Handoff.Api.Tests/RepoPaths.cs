namespace Handoff.Api.Tests;

/// <summary>Locates the repository the tests run from (the folder holding Handoff.sln).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Crds => Path.Combine(Root, "crds");

    public static string ChartCrds => Path.Combine(Root, "charts", "handoff", "crds");

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
