using System.Globalization;
using System.Text.RegularExpressions;
using Handoff.Chart.Tests.Support;
using Handoff.Testing;
using k8s.Models;

namespace Handoff.Chart.Tests;

/// <summary>
/// docs/helm.md's sizing table (functions alive × nodes → measured memory → recommended <c>resources</c>) and the
/// chart's defaults agree: the row marked as the defaults is what values.yaml renders, and every row's memory limit
/// leaves headroom over the peak measured for it.
/// </summary>
public sealed partial class SizingTableTests
{
    /// <summary>A limit must exceed the measured peak by this much (GC timing and load move the peak).</summary>
    private const double Headroom = 1.25;

    /// <summary>
    /// And the steady working set by this much: a restart lists everything at once and peaked at ~1.5× the steady
    /// working set where measured, so rows measured only in bursts still hold a restart.
    /// </summary>
    private const double RestartFactor = 1.5;

    [Fact]
    public async Task Default_resources_are_the_sizing_tables_defaults_row()
    {
        var defaults = Assert.Single(Rows(), r => r.IsDefault);
        var objects = await Helm.RenderAsync([], TestContext.Current.CancellationToken);
        var container = objects.Single(o => o.Kind == "Deployment").As<V1Deployment>().Spec.Template.Spec.Containers.Single();

        Assert.Equal(new ResourceQuantity(defaults.RequestsMemory), container.Resources.Requests["memory"]);
        Assert.Equal(new ResourceQuantity(defaults.LimitsMemory), container.Resources.Limits["memory"]);
        Assert.False(container.Resources.Limits.ContainsKey("cpu"), "docs/helm.md explains why the operator has no CPU limit");
        Assert.True(container.Resources.Requests.ContainsKey("cpu"));
    }

    [Fact]
    public void Every_rows_limit_holds_its_measured_peak_and_a_restart_with_headroom()
    {
        var rows = Rows();
        Assert.True(rows.Count >= 3, "docs/helm.md's sizing table has fewer than 3 rows");
        foreach (var row in rows)
        {
            var limit = new ResourceQuantity(row.LimitsMemory).ToInt64();
            var request = new ResourceQuantity(row.RequestsMemory).ToInt64();
            Assert.True(limit >= Headroom * row.PeakMiB * 1024 * 1024, $"{row.Text}: limit {row.LimitsMemory} is under {Headroom}x the peak {row.PeakMiB} MB");
            Assert.True(limit >= RestartFactor * row.SteadyMiB * 1024 * 1024, $"{row.Text}: limit {row.LimitsMemory} is under {RestartFactor}x the steady {row.SteadyMiB} MB");
            Assert.True(request >= row.SteadyMiB * 1024 * 1024, $"{row.Text}: request {row.RequestsMemory} is under the steady working set");
            Assert.True(request <= limit, $"{row.Text}: request over limit");
        }
    }

    /// <summary>One row; the table's MB are MiB (the harness divides bytes by 1,048,576).</summary>
    private sealed record Row(string Text, double SteadyMiB, double PeakMiB, string RequestsMemory, string LimitsMemory, bool IsDefault);

    /// <summary>The rows of the table under docs/helm.md's "## Sizing".</summary>
    private static List<Row> Rows()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "helm.md"));
        var start = Array.FindIndex(lines, l => l == "## Sizing");
        Assert.True(start >= 0, "docs/helm.md has no '## Sizing' section");
        var table = lines.Skip(start)
            .SkipWhile(l => !l.StartsWith("| functions alive |", StringComparison.Ordinal))
            .Skip(2)
            .TakeWhile(l => l.StartsWith('|'))
            .ToList();
        return [.. table.Select(line =>
        {
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length == 5, "sizing row without 5 cells: " + line);
            var steady = Megabytes().Match(cells[2]);
            var peak = Megabytes().Match(cells[3]);
            Assert.True(steady.Success && peak.Success, "sizing row without a measured working set and peak in MB: " + line);
            var requests = RequestsMemory().Match(cells[4]);
            var limits = LimitsMemory().Match(cells[4]);
            Assert.True(requests.Success && limits.Success, "sizing row without requests and limits memory: " + line);
            return new Row(
                line,
                Number(steady),
                Number(peak),
                requests.Groups[1].Value,
                limits.Groups[1].Value,
                cells[4].Contains("the defaults", StringComparison.Ordinal));
        })];
    }

    private static double Number(Match megabytes) =>
        double.Parse(megabytes.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"([\d,]+) MB")]
    private static partial Regex Megabytes();

    [GeneratedRegex(@"requests `memory: ([^`]+)`")]
    private static partial Regex RequestsMemory();

    [GeneratedRegex(@"limits `memory: ([^`]+)`")]
    private static partial Regex LimitsMemory();
}
