using Handoff.Testing;

namespace Handoff.Chart.Tests.Support;

/// <summary>helm lint / template against <c>charts/handoff</c>.</summary>
internal static class Helm
{
    public const string Release = "handoff";
    public const string Namespace = "handoff-system";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public static Task<ProcessResult> LintAsync(IEnumerable<string> valuesFiles, CancellationToken cancellationToken) =>
        RunAsync(["lint", "--strict", RepoPaths.Chart, .. ValuesArgs(valuesFiles)], cancellationToken);

    public static Task<ProcessResult> TemplateAsync(
        IEnumerable<string> valuesFiles, CancellationToken cancellationToken, bool includeCrds = false, IEnumerable<string>? set = null) =>
        RunAsync(
            [
                "template", Release, RepoPaths.Chart, "--namespace", Namespace,
                .. includeCrds ? new[] { "--include-crds" } : [],
                .. ValuesArgs(valuesFiles),
                .. (set ?? []).SelectMany(s => new[] { "--set", s }),
            ],
            cancellationToken);

    /// <summary>Renders and fails the test with helm's output if rendering fails.</summary>
    public static async Task<IReadOnlyList<RenderedObject>> RenderAsync(
        IEnumerable<string> valuesFiles, CancellationToken cancellationToken, bool includeCrds = false, IEnumerable<string>? set = null)
    {
        var result = await TemplateAsync(valuesFiles, cancellationToken, includeCrds, set);
        Assert.True(result.Succeeded, result.ToString());
        return Manifests.Parse(result.Stdout);
    }

    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        Processes.RunAsync(Tools.Helm, arguments, s_timeout, cancellationToken, environment: IsolatedHome());

    /// <summary>helm's cache/config/data under a temp folder, so that tests never touch the user's repositories.</summary>
    public static IReadOnlyDictionary<string, string?> IsolatedHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "handoff-chart-tests-helm");
        return new Dictionary<string, string?>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
        };
    }

    private static IEnumerable<string> ValuesArgs(IEnumerable<string> valuesFiles) =>
        valuesFiles.SelectMany(f => new[] { "--values", f });
}
