namespace Handoff.Testing;

/// <summary>Paths inside the repository the tests run from (the folder holding Handoff.sln).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Crds => Path.Combine(Root, "crds");

    public static string Chart => Path.Combine(Root, "charts", "handoff");

    public static string ChartCrds => Path.Combine(Chart, "crds");

    public static string Examples => Path.Combine(Root, "examples");

    /// <summary>The pinned helm and kubectl that <c>.ci/install-tools</c> fetches.</summary>
    public static string ToolsBin => Path.Combine(Root, ".tools", "bin");

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
