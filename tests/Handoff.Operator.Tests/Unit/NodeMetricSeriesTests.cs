using System.Text;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Prometheus;

namespace Handoff.Operator.Tests.Unit;

/// <summary>The per-node series as /metrics writes them, and the format a scraper gets.</summary>
public sealed class NodeMetricSeriesTests
{
    private static NodeUsage Usage(string node, (string Resource, long Milli, long HeldMilli)[] resources) => new(
        node,
        ResourceList.FromMilli(resources.Select(r => KeyValuePair.Create(r.Resource, r.Milli))),
        ResourceList.FromMilli(resources.Select(r => KeyValuePair.Create(r.Resource, r.HeldMilli))),
        ResourceList.Empty,
        1);

    private static async Task<string> TextAsync(NodeMetricSeries series)
    {
        using var stream = new MemoryStream();
        await series.WriteToAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Each_node_and_resource_is_one_line_in_units_with_its_labels_escaped()
    {
        var series = new NodeMetricSeries();
        series.Publish([Usage("n-1", [("cpu", 4000, 1500), ("memory", 16000_000, 0)]), Usage("odd\"\\\nnode", [("example.com/fpga", 1000, 1000)])]);
        Assert.Equal(
            """
            # HELP handoff_node_capacity HandoffNode capacity per resource (in units; milli-units / 1000).
            # TYPE handoff_node_capacity gauge
            handoff_node_capacity{node="n-1",resource="cpu"} 4
            handoff_node_capacity{node="n-1",resource="memory"} 16000
            handoff_node_capacity{node="odd\"\\\nnode",resource="example.com/fpga"} 1
            # HELP handoff_node_allocated Capacity held by functions per HandoffNode and resource.
            # TYPE handoff_node_allocated gauge
            handoff_node_allocated{node="n-1",resource="cpu"} 1.5
            handoff_node_allocated{node="n-1",resource="memory"} 0
            handoff_node_allocated{node="odd\"\\\nnode",resource="example.com/fpga"} 1

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            await TextAsync(series));
    }

    [Fact]
    public async Task A_new_publication_replaces_the_last_so_a_gone_node_has_no_series()
    {
        var series = new NodeMetricSeries();
        series.Publish([Usage("a", [("cpu", 1000, 0)]), Usage("b", [("cpu", 2000, 0)])]);
        series.Publish([Usage("a", [("cpu", 1000, 1000)])]);
        var text = await TextAsync(series);
        Assert.DoesNotContain("node=\"b\"", text, StringComparison.Ordinal);
        Assert.Contains("handoff_node_allocated{node=\"a\",resource=\"cpu\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_published_tracker_is_read_at_each_scrape()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("a", ResourceList.Of(("cpu", "2")));
        var series = new NodeMetricSeries();
        series.Publish(tracker.Snapshot);
        Assert.Contains("handoff_node_allocated{node=\"a\",resource=\"cpu\"} 0\n", await TextAsync(series), StringComparison.Ordinal);

        Assert.True(tracker.TryAllocate("a", ResourceList.Of(("cpu", "1")), "p"));

        Assert.Contains("handoff_node_allocated{node=\"a\",resource=\"cpu\"} 1\n", await TextAsync(series), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_nodes_are_written_in_order_across_flushes_with_non_ascii_names_encoded()
    {
        var nodes = Enumerable.Range(0, 1_000).Select(i => Usage($"nœud-{i:D4}", [("cpu", 16_000, i), ("memory", 1_000, 1_000)])).ToArray();
        var series = new NodeMetricSeries();
        series.Publish(nodes);

        var lines = (await TextAsync(series)).Split('\n');

        var expected = new[] { "# HELP handoff_node_capacity HandoffNode capacity per resource (in units; milli-units / 1000).", "# TYPE handoff_node_capacity gauge" }
            .Concat(nodes.SelectMany(n => new[] { $"handoff_node_capacity{{node=\"{n.Node}\",resource=\"cpu\"}} 16", $"handoff_node_capacity{{node=\"{n.Node}\",resource=\"memory\"}} 1" }))
            .Concat(["# HELP handoff_node_allocated Capacity held by functions per HandoffNode and resource.", "# TYPE handoff_node_allocated gauge"])
            .Concat(nodes.Select((n, i) => new[] { $"handoff_node_allocated{{node=\"{n.Node}\",resource=\"cpu\"}} {(i / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture)}", $"handoff_node_allocated{{node=\"{n.Node}\",resource=\"memory\"}} 1" }).SelectMany(l => l))
            .Append("");
        Assert.Equal(expected, lines);
    }

    [Theory]
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true)] // Prometheus's
    [InlineData("text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5", false)]
    [InlineData("text/plain", false)]
    [InlineData("*/*", false)]
    [InlineData("", false)]
    [InlineData("not a media type", false)]
    public void The_scrapers_accept_header_picks_the_format(string accept, bool openMetrics)
    {
        var (format, contentType) = MetricsExposition.Negotiate(accept);
        Assert.Equal(openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, format);
        Assert.StartsWith(openMetrics ? "application/openmetrics-text; version=1.0.0" : "text/plain; version=0.0.4", contentType, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExpositionFormat.PrometheusText)]
    [InlineData(ExpositionFormat.OpenMetricsText)]
    public async Task The_export_holds_the_registry_and_the_node_series_and_OpenMetrics_ends_once_with_EOF(ExpositionFormat format)
    {
        var metrics = new OperatorMetrics();
        metrics.IsLeader.Set(1);
        metrics.NodeSeries.Publish([Usage("n-1", [("cpu", 2000, 1000)])]);
        using var stream = new MemoryStream();
        await metrics.ExportAsync(stream, format, TestContext.Current.CancellationToken);
        var text = Encoding.UTF8.GetString(stream.ToArray());

        Assert.Contains("handoff_leader 1", text, StringComparison.Ordinal);
        Assert.Contains("handoff_node_capacity{node=\"n-1\",resource=\"cpu\"} 2\n", text, StringComparison.Ordinal);
        var eofs = text.Split('\n').Count(line => line == "# EOF");
        if (format == ExpositionFormat.OpenMetricsText)
        {
            Assert.Equal(1, eofs);
            Assert.EndsWith("handoff_node_allocated{node=\"n-1\",resource=\"cpu\"} 1\n# EOF\n", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(0, eofs);
            Assert.EndsWith("handoff_node_allocated{node=\"n-1\",resource=\"cpu\"} 1\n", text, StringComparison.Ordinal);
        }
    }
}
