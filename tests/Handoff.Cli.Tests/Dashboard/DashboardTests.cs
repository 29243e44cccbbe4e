using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Handoff.Operator;
using Handoff.Testing;
using Prometheus;

namespace Handoff.Cli.Tests.Dashboard;

/// <summary>
/// The chart's Grafana dashboard (dashboard.enabled): rendered by the real helm, it queries only metrics the operator
/// exports — the names read from a dump of <see cref="OperatorMetrics"/>' registry, never from a list kept here.
/// </summary>
public sealed partial class DashboardTests
{
    private static async Task<string> HelmTemplateAsync(params string[] set)
    {
        var args = new List<string> { "template", "handoff", RepoPaths.Chart, "--namespace", "handoff-system" };
        foreach (var s in set)
        {
            args.AddRange(["--set", s]);
        }

        var result = await Processes.RunAsync(Tools.Helm, args, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.ToString());
        return result.Stdout;
    }

    /// <summary>The ConfigMap's dashboard JSON, parsed from helm's YAML (the block scalar under data).</summary>
    private static JsonObject DashboardOf(string rendered)
    {
        var document = rendered.Split("\n---", StringSplitOptions.None).Single(d => d.Contains("kind: ConfigMap", StringComparison.Ordinal));
        var lines = document.Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == "handoff.json: |-");
        var json = string.Join('\n', lines.Skip(start + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.Length == 0).Select(l => l.Length >= 4 ? l[4..] : l));
        return JsonNode.Parse(json)!.AsObject();
    }

    /// <summary>Every series name the operator's registry exposes (a child made for each labelled metric so it is listed).</summary>
    private static async Task<HashSet<string>> ExportedSeriesAsync()
    {
        var metrics = new OperatorMetrics();
        foreach (var property in typeof(OperatorMetrics).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetValue(metrics) is Collector collector && collector.LabelNames.Length > 0)
            {
                var withLabels = collector.GetType().GetMethod("WithLabels", [typeof(string[])])!;
                withLabels.Invoke(collector, [collector.LabelNames.Select(_ => "x").ToArray()]);
            }
        }

        // The per-node series are written from the tracker's usage at scrape time: one node makes them listed.
        metrics.NodeSeries.Publish([new Handoff.Core.Tracking.NodeUsage(
            "x", Handoff.Core.Resources.ResourceList.Of(("cpu", "1")), Handoff.Core.Resources.ResourceList.Empty, Handoff.Core.Resources.ResourceList.Empty, 0)]);
        using var stream = new MemoryStream();
        await metrics.ExportAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        return [.. Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => SeriesName().Match(l).Value)];
    }

    /// <summary>The metric names a PromQL expression selects: identifiers outside strings, label matchers, ranges, grouping clauses and function calls.</summary>
    internal static IReadOnlyList<string> MetricsIn(string expr)
    {
        var stripped = Strings().Replace(expr, "");
        stripped = Braces().Replace(stripped, " ");
        stripped = Ranges().Replace(stripped, " ");
        stripped = Grouping().Replace(stripped, " ");
        return [.. Identifiers().Matches(stripped)
            .Where(m => !Keywords.Contains(m.Value) && !stripped[(m.Index + m.Length)..].TrimStart().StartsWith('('))
            .Select(m => m.Value)];
    }

    private static readonly HashSet<string> Keywords = ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"];

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_exported_by_the_operator()
    {
        var exported = await ExportedSeriesAsync();
        Assert.Contains("handoff_scheduling_latency_seconds_bucket", exported);

        var dashboard = DashboardOf(await HelmTemplateAsync("dashboard.enabled=true"));
        var exprs = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => (string)t!["expr"]!).ToList();
        Assert.NotEmpty(exprs);
        var queried = exprs.SelectMany(MetricsIn).Distinct(StringComparer.Ordinal).ToList();
        Assert.All(queried, name => Assert.True(exported.Contains(name), $"the dashboard queries {name}, which the operator does not export; it exports: {string.Join(", ", exported.Order(StringComparer.Ordinal))}"));

        // What the issue asks the dashboard to show.
        foreach (var needed in new[] { "handoff_functions", "handoff_scheduling_attempts_total", "handoff_scheduling_latency_seconds_bucket", "handoff_node_allocated", "handoff_node_capacity" })
        {
            Assert.Contains(needed, queried);
        }
    }

    [Fact]
    public void The_expression_reader_finds_metrics_and_only_metrics()
    {
        Assert.Equal(
            ["handoff_scheduling_latency_seconds_bucket"],
            MetricsIn("histogram_quantile(0.99, sum by (le) (rate(handoff_scheduling_latency_seconds_bucket{job=~\"$job\", x=\"a b\"}[$__rate_interval])))"));
        Assert.Equal(["a_total", "b"], MetricsIn("sum(rate(a_total[5m])) / on(node) group_left b > bool 0"));
    }

    [Fact]
    public async Task The_dashboard_is_off_by_default_and_labelled_for_the_grafana_sidecar_when_on()
    {
        Assert.DoesNotContain("kind: ConfigMap", await HelmTemplateAsync(), StringComparison.Ordinal);

        var rendered = await HelmTemplateAsync("dashboard.enabled=true", "dashboard.namespace=monitoring", "dashboard.annotations.grafana_folder=Handoff");
        var configMap = rendered.Split("\n---", StringSplitOptions.None).Single(d => d.Contains("kind: ConfigMap", StringComparison.Ordinal));
        Assert.Contains("namespace: monitoring", configMap, StringComparison.Ordinal);
        Assert.Contains("grafana_dashboard: \"1\"", configMap, StringComparison.Ordinal);
        Assert.Contains("grafana_folder: Handoff", configMap, StringComparison.Ordinal);
        var dashboard = DashboardOf(rendered);
        Assert.Equal("handoff-operator", (string?)dashboard["uid"]);
        Assert.Contains(dashboard["panels"]!.AsArray(), p => (string?)p!["title"] == "Node usage per resource");
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b")]
    private static partial Regex Identifiers();
}
