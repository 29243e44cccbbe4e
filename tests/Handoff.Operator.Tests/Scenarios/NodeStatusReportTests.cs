using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// What a Node's periodic status report does to the operator. Every kubelet posts its Node's status every 5 minutes,
/// even when nothing changed: ~17 reports a second across 5,000 Nodes. A report that only moves a heartbeat leaves
/// the cached Node as it was, so the pass's memos of it stand and no second version lives on. A report that changes what
/// the operator reads is stored.
/// </summary>
public sealed class NodeStatusReportTests
{
    private static CancellationToken Ct => SandboxCluster.Ct;

    [Fact]
    public async Task A_report_that_moves_only_a_heartbeat_leaves_the_cached_Node_and_a_cordon_is_stored()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "2" });
        var op = await cluster.StartOperatorAsync();
        var nodes = op.Operator.Nodes.Cache;
        var held = await Wait.ForAsync(() => Task.FromResult(nodes.Get("n1")), n => n is not null, "the Node is cached");

        var node = await cluster.Client.CoreV1.ReadNodeAsync("n1", cancellationToken: Ct);
        foreach (var condition in node.Status.Conditions ?? [])
        {
            condition.LastHeartbeatTime = (condition.LastHeartbeatTime ?? DateTime.UtcNow).AddMinutes(5);
        }

        var reported = await cluster.Client.CoreV1.ReplaceNodeStatusAsync(node, "n1", cancellationToken: Ct);
        Assert.NotEqual(node.Metadata.ResourceVersion, reported.Metadata.ResourceVersion);
        // A later event on the same watch: once it is cached, the report before it was seen.
        await cluster.Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "marker" } }, cancellationToken: Ct);
        await Wait.UntilAsync(() => nodes.Get("marker") is not null, "the watch brought the events after the report");

        Assert.Same(held, nodes.Get("n1"));

        await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "n1", cancellationToken: Ct);
        var cordoned = await Wait.ForAsync(() => Task.FromResult(nodes.Get("n1")), n => n?.Spec?.Unschedulable == true, "the cordon is cached");
        Assert.NotSame(held, cordoned);
    }
}
