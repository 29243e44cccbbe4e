using System.Text;
using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>Per-node series follow the tracker's usage (written at scrape time) and go with their node.</summary>
public sealed class NodeMetricsTests
{
    [Fact]
    public async Task Node_gauges_follow_usage_and_disappear_with_their_HandoffNode()
    {
        await using var cluster = await SandboxCluster.StartAsync(["node-a", "node-b"]);
        await cluster.CreateNodeAsync("node-a", new Dictionary<string, string> { ["cpu"] = "4" });
        await cluster.CreateNodeAsync("node-b", new Dictionary<string, string> { ["cpu"] = "8", ["example.com/fpga"] = "1" });
        var op = await cluster.StartOperatorAsync();
        var metrics = op.Services.GetRequiredService<OperatorMetrics>();

        async Task<string> ExportAsync()
        {
            using var stream = new MemoryStream();
            await metrics.ExportAsync(stream, cancellationToken: SandboxCluster.Ct);
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        await Wait.UntilAsync(async () => (await ExportAsync()).Contains("handoff_node_capacity{node=\"node-b\",resource=\"example.com/fpga\"} 1", StringComparison.Ordinal), "node-b's gauges");
        await cluster.CreateFunctionAsync(SandboxCluster.Function("f", new Dictionary<string, string> { ["cpu"] = "3" }));
        await cluster.WaitForPhaseAsync("f", FunctionPhases.Scheduled);
        await Wait.UntilAsync(async () => (await ExportAsync()).Contains("handoff_node_allocated{node=\"node-a\",resource=\"cpu\"} 3", StringComparison.Ordinal), "node-a's allocation");

        await cluster.Client.CustomObjects.DeleteClusterCustomObjectAsync(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, "node-b", cancellationToken: SandboxCluster.Ct);
        await Wait.UntilAsync(async () => !(await ExportAsync()).Contains("node=\"node-b\"", StringComparison.Ordinal), "node-b's series are removed");
        var text = await ExportAsync();
        Assert.Contains("handoff_node_capacity{node=\"node-a\",resource=\"cpu\"} 4", text, StringComparison.Ordinal);
        Assert.Contains("handoff_node_allocated{node=\"node-a\",resource=\"cpu\"} 3", text, StringComparison.Ordinal);
    }
}
