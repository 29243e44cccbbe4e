using Handoff.Chart.Tests.Support;
using Handoff.Testing;

namespace Handoff.Chart.Tests;

/// <summary>helm lint --strict, and the values schema rejecting bad values with a clear message.</summary>
public sealed class ChartLintTests
{
    public static TheoryData<string> ValuesFiles =>
        [.. Directory.GetFiles(ChartPaths.TestValues, "*.yaml").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    public static TheoryData<string> BadValuesFiles =>
        [.. Directory.GetFiles(ChartPaths.BadValues, "*.yaml").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Lint_strict_passes_with_default_values()
    {
        var result = await Helm.LintAsync([], TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("0 chart(s) failed", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public async Task Lint_strict_passes_with_a_non_default_values_file(string file)
    {
        var result = await Helm.LintAsync([Path.Combine(ChartPaths.TestValues, file)], TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.ToString());
    }

    [Theory]
    [MemberData(nameof(BadValuesFiles))]
    public async Task Bad_values_file_is_rejected_with_a_clear_message(string file)
    {
        var path = Path.Combine(ChartPaths.BadValues, file);
        var firstLine = File.ReadLines(path).First();
        Assert.StartsWith("# expect: ", firstLine, StringComparison.Ordinal);
        var expected = firstLine["# expect: ".Length..];

        var template = await Helm.TemplateAsync([path], TestContext.Current.CancellationToken);
        Assert.False(template.Succeeded, $"helm template accepted {file}:\n{template}");
        Assert.Contains(expected, template.Stderr, StringComparison.Ordinal);

        // helm lint reports a template's `fail` only as INFO; schema violations make it fail.
        if (template.Stderr.Contains("don't meet the specifications of the schema", StringComparison.Ordinal))
        {
            var lint = await Helm.LintAsync([path], TestContext.Current.CancellationToken);
            Assert.False(lint.Succeeded, $"helm lint accepted {file}:\n{lint}");
            Assert.Contains(expected, lint.Stdout + lint.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Chart_packages_with_its_crds_schema_and_notes()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("handoff-package-");
        try
        {
            var result = await Helm.RunAsync(["package", RepoPaths.Chart, "--destination", dir.FullName], ct);
            Assert.True(result.Succeeded, result.ToString());
            var package = Assert.Single(dir.GetFiles("*.tgz"));
            Assert.Equal("handoff-0.1.0.tgz", package.Name);

            var entries = new List<string>();
            await using (var gzip = new System.IO.Compression.GZipStream(package.OpenRead(), System.IO.Compression.CompressionMode.Decompress))
            await using (var tar = new System.Formats.Tar.TarReader(gzip))
            {
                while (await tar.GetNextEntryAsync(cancellationToken: ct) is { } entry)
                {
                    entries.Add(entry.Name);
                }
            }

            foreach (var expected in new[]
            {
                "handoff/Chart.yaml", "handoff/values.yaml", "handoff/values.schema.json", "handoff/templates/NOTES.txt",
                "handoff/templates/deployment.yaml", "handoff/crds/handoffnodes.handoff.dev.yaml", "handoff/crds/handofffunctions.handoff.dev.yaml",
                "handoff/crds/handoffqueues.handoff.dev.yaml",
            })
            {
                Assert.Contains(expected, entries);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Chart_version_and_appVersion_follow_the_project_version()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value.Trim();
        var chart = File.ReadAllLines(Path.Combine(RepoPaths.Chart, "Chart.yaml"));
        Assert.Contains($"version: {version}", chart);
        Assert.Contains($"appVersion: \"{version}\"", chart);
        Assert.Contains("apiVersion: v2", chart);
        Assert.Contains(
            $"org.opencontainers.image.version=\"{version}\"",
            File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile")),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_crds_are_identical_to_the_top_level_crds()
    {
        static SortedDictionary<string, string> Read(string dir) => new(
            Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllText),
            StringComparer.Ordinal);

        var top = Read(RepoPaths.Crds);
        var chart = Read(RepoPaths.ChartCrds);
        Assert.NotEmpty(top);
        Assert.True(
            top.Keys.SequenceEqual(chart.Keys),
            $"crds/ has [{string.Join(", ", top.Keys)}], charts/handoff/crds/ has [{string.Join(", ", chart.Keys)}]. "
            + "Regenerate both with: HANDOFF_UPDATE_CRDS=1 dotnet test tests/Handoff.Api.Tests");
        foreach (var (name, text) in top)
        {
            Assert.True(
                text == chart[name],
                $"charts/handoff/crds/{name} differs from crds/{name}. Regenerate both with: HANDOFF_UPDATE_CRDS=1 dotnet test tests/Handoff.Api.Tests");
        }
    }
}
