using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Sandbox;
using Handoff.Testing;
using Handoff.Testing.Builders;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// <c>--discover-nodes</c>: one HandoffNode (<c>capacityFrom: Node</c>, the Node's name and labels, owned by the Node)
/// per Node matching the selector, kept in step as Nodes come, change and go; hand-made HandoffNodes are left alone.
/// </summary>
public sealed class NodeDiscoveryTests
{
    private static SandboxNode Node(string name, string pool) => new(name) { Labels = new Dictionary<string, string> { ["pool"] = pool } };

    private static async Task<HandoffNode?> TryGetAsync(SandboxCluster cluster, string name)
    {
        try
        {
            return await cluster.GetNodeAsync(name);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task PatchNodeAsync(SandboxCluster cluster, string node, string patch) =>
        await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), node, cancellationToken: SandboxCluster.Ct);

    [Fact]
    public async Task Discovered_HandoffNodes_follow_the_Nodes_that_match()
    {
        await using var cluster = await SandboxCluster.StartAsync([Node("n1", "batch"), Node("n2", "web"), Node("n3", "batch")], chartValues: ["discoverNodes.enabled=true"]);
        await cluster.CreateNodeAsync(TestObjects.HandoffNode("n3").Capacity("cpu", "2"));
        await cluster.StartOperatorAsync(new OperatorOptions { DiscoverNodes = true, DiscoverNodesSelector = "pool=batch" });

        var n1 = await Wait.ForAsync(() => TryGetAsync(cluster, "n1"), n => n is not null, "n1 is discovered");
        Assert.Equal((CapacitySources.Node, "n1", "batch"), (n1!.Spec.CapacityFrom, n1.Spec.NodeName, n1.Metadata.Labels["pool"]));
        var owner = Assert.Single(n1.Metadata.OwnerReferences);
        Assert.Equal(("Node", "n1"), (owner.Kind, owner.Name));
        n1 = await Wait.ForAsync(() => cluster.GetNodeAsync("n1"), n => n.Status?.Capacity?.ContainsKey("cpu") == true, "n1 reports the Node's capacity");
        Assert.Equal(("8", "16Gi"), (n1.Status.Capacity!["cpu"], n1.Status.Capacity["memory"]));

        // A Node that comes to match is discovered; a label change is followed; the Node's allocatable is the capacity.
        await PatchNodeAsync(cluster, "n2", """{"metadata":{"labels":{"pool":"batch"}}}""");
        await Wait.ForAsync(() => TryGetAsync(cluster, "n2"), n => n is not null, "n2 is discovered");
        await PatchNodeAsync(cluster, "n1", """{"metadata":{"labels":{"zone":"z1"}}}""");
        await Wait.ForAsync(() => cluster.GetNodeAsync("n1"), n => n.Metadata.Labels.TryGetValue("zone", out var z) && z == "z1", "n1 takes the Node's new label");
        await cluster.Client.CoreV1.PatchNodeStatusAsync(new V1Patch("""{"status":{"allocatable":{"cpu":"4"}}}""", V1Patch.PatchType.MergePatch), "n1", cancellationToken: SandboxCluster.Ct);
        await Wait.ForAsync(() => cluster.GetNodeAsync("n1"), n => n.Status?.Capacity?["cpu"] == "4", "n1's capacity follows the Node's allocatable");

        // A Node that stops matching loses its HandoffNode; a Node that goes takes it along (owner reference).
        await PatchNodeAsync(cluster, "n1", """{"metadata":{"labels":{"pool":"web"}}}""");
        await Wait.ForAsync(() => TryGetAsync(cluster, "n1"), n => n is null, "n1's HandoffNode is deleted");
        await cluster.Client.CoreV1.DeleteNodeAsync("n2", cancellationToken: SandboxCluster.Ct);
        await Wait.ForAsync(() => TryGetAsync(cluster, "n2"), n => n is null, "n2's HandoffNode goes with the Node");

        // The hand-made n3 was never touched.
        var n3 = await cluster.GetNodeAsync("n3");
        Assert.Equal((CapacitySources.None, "2"), (n3.Spec.CapacityFrom, n3.Spec.Capacity["cpu"]));
        Assert.Null(n3.Metadata.OwnerReferences);
    }
}
