using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

public sealed class PlacementTests
{
    private static Dictionary<string, string> Cpu(string cpu) => new() { ["cpu"] = cpu };

    private static HandoffFunction With(string name, string cpu, string? strategy = null, Dictionary<string, string>? selector = null, string? node = null)
    {
        var f = SandboxCluster.Function(name, Cpu(cpu));
        f.Spec.Strategy = strategy;
        f.Spec.NodeSelector = selector;
        f.Spec.Node = node;
        return f;
    }

    [Fact]
    public async Task Each_strategy_picks_the_node_the_contract_says()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2", "n3"]);
        await cluster.CreateNodeAsync("n1", Cpu("8"));
        await cluster.CreateNodeAsync("n2", Cpu("8"));
        await cluster.CreateNodeAsync("n3", Cpu("8"));
        await cluster.StartOperatorAsync(new OperatorOptions { DefaultStrategy = nameof(AllocationStrategy.BestFit) });

        // Load: n1 holds 6 of 8, n2 holds 3 of 8, n3 is empty (pinned so the set-up does not depend on a strategy).
        await cluster.CreateFunctionAsync(With("load-1", "6", node: "n1"));
        await cluster.CreateFunctionAsync(With("load-2", "3", node: "n2"));
        await cluster.WaitForPhaseAsync("load-1", FunctionPhases.Scheduled);
        await cluster.WaitForPhaseAsync("load-2", FunctionPhases.Scheduled);

        await cluster.CreateFunctionAsync(With("first", "1", nameof(AllocationStrategy.FirstAvailable)));
        Assert.Equal("n1", (await cluster.WaitForPhaseAsync("first", FunctionPhases.Scheduled)).Status.Node);
        await cluster.CreateFunctionAsync(With("balanced", "1", nameof(AllocationStrategy.LoadBalanced)));
        Assert.Equal("n3", (await cluster.WaitForPhaseAsync("balanced", FunctionPhases.Scheduled)).Status.Node);
        // n1 now has 1 free (BestFit would leave 0 there): the operator's default strategy is BestFit here.
        await cluster.CreateFunctionAsync(With("best", "1"));
        Assert.Equal("n1", (await cluster.WaitForPhaseAsync("best", FunctionPhases.Scheduled)).Status.Node);
        // A pinned function that does not fit on its node waits, though other nodes have room.
        await cluster.CreateFunctionAsync(With("pinned", "2", node: "n1"));
        var pinned = await cluster.WaitForPhaseAsync("pinned", FunctionPhases.Pending);
        Assert.Contains("Insufficient cpu", pinned.Status.Message, StringComparison.Ordinal);
        Assert.Empty(await cluster.PodsAsync("pinned"));
    }

    [Fact]
    public async Task Cordoned_and_not_ready_nodes_get_nothing_and_nodeSelector_is_honoured()
    {
        await using var cluster = await SandboxCluster.StartAsync(["a-cordoned", "b-not-ready", "c-zone-x", "d-zone-y"]);
        await cluster.CreateNodeAsync("a-cordoned", Cpu("8"), unschedulable: true);
        await cluster.CreateNodeAsync("b-not-ready", Cpu("8"));
        await cluster.CreateNodeAsync("c-zone-x", Cpu("8"), new Dictionary<string, string> { ["zone"] = "x" });
        await cluster.CreateNodeAsync("d-zone-y", Cpu("8"), new Dictionary<string, string> { ["zone"] = "y" });
        await cluster.CreateNodeAsync("e-no-kubernetes-node", Cpu("8"), nodeName: "does-not-exist");
        cluster.Server.Kubelet.SetNodeReady("b-not-ready", false);
        await cluster.StartOperatorAsync();

        await Wait.UntilAsync(
            async () => (await cluster.GetNodeAsync("b-not-ready")).Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.False && c.Reason == Reasons.NodeNotReady) == true,
            "b-not-ready reports Ready=False");
        await Wait.UntilAsync(
            async () => (await cluster.GetNodeAsync("e-no-kubernetes-node")).Status?.Conditions?.Any(c => c.Reason == Reasons.NodeNotFound) == true,
            "e reports NodeNotFound");

        await cluster.CreateFunctionAsync(With("anywhere", "1"));
        Assert.Equal("c-zone-x", (await cluster.WaitForPhaseAsync("anywhere", FunctionPhases.Scheduled)).Status.Node);
        await cluster.CreateFunctionAsync(With("in-y", "1", selector: new Dictionary<string, string> { ["zone"] = "y" }));
        Assert.Equal("d-zone-y", (await cluster.WaitForPhaseAsync("in-y", FunctionPhases.Scheduled)).Status.Node);
        await cluster.CreateFunctionAsync(With("in-z", "1", selector: new Dictionary<string, string> { ["zone"] = "z" }));
        var z = await cluster.WaitForPhaseAsync("in-z", FunctionPhases.Pending);
        Assert.Contains("didn't match Function's node selector", z.Status.Message, StringComparison.Ordinal);
        await cluster.CreateFunctionAsync(With("on-cordoned", "1", node: "a-cordoned"));
        var cordoned = await cluster.WaitForPhaseAsync("on-cordoned", FunctionPhases.Pending);
        Assert.Contains("unschedulable", cordoned.Status.Message, StringComparison.Ordinal);

        // The node becomes Ready: a function pinned there now runs.
        await cluster.CreateFunctionAsync(With("on-b", "1", node: "b-not-ready"));
        var waiting = await cluster.WaitForPhaseAsync("on-b", FunctionPhases.Pending);
        Assert.Contains("not ready", waiting.Status.Message, StringComparison.Ordinal);
        cluster.Server.Kubelet.SetNodeReady("b-not-ready", true);
        Assert.Equal("b-not-ready", (await cluster.WaitForPhaseAsync("on-b", FunctionPhases.Scheduled)).Status.Node);
        Assert.All(await cluster.PodsAsync(), p => Assert.NotEqual("a-cordoned", p.Spec.NodeName));
    }

    [Fact]
    public async Task A_HandoffNode_s_new_capacity_labels_and_cordon_are_used_by_the_next_pass()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.StartOperatorAsync();
        async Task PatchNodeAsync(string json) => await cluster.Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch(json, V1Patch.PatchType.MergePatch), HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, "n1",
            cancellationToken: SandboxCluster.Ct);

        // Capacity (a spec change): a function larger than the node fits once the node grows.
        await cluster.CreateFunctionAsync(With("needs-4", "4"));
        await cluster.WaitForPhaseAsync("needs-4", FunctionPhases.Pending);
        await PatchNodeAsync("""{"spec":{"capacity":{"cpu":"8"}}}""");
        Assert.Equal("n1", (await cluster.WaitForPhaseAsync("needs-4", FunctionPhases.Scheduled)).Status.Node);

        // Labels (metadata only: the generation does not move): a selector matches once the label is there.
        await cluster.CreateFunctionAsync(With("in-zone-a", "1", selector: new Dictionary<string, string> { ["zone"] = "a" }));
        await cluster.WaitForPhaseAsync("in-zone-a", FunctionPhases.Pending);
        await PatchNodeAsync("""{"metadata":{"labels":{"zone":"a"}}}""");
        Assert.Equal("n1", (await cluster.WaitForPhaseAsync("in-zone-a", FunctionPhases.Scheduled)).Status.Node);

        // Cordon (a spec change): nothing new lands on the node.
        await PatchNodeAsync("""{"spec":{"unschedulable":true}}""");
        await Wait.UntilAsync(async () => (await cluster.GetNodeAsync("n1")).Metadata.Generation == 3, "the cordon is stored");
        await cluster.CreateFunctionAsync(With("after-cordon", "1"));
        var pending = await cluster.WaitForPhaseAsync("after-cordon", FunctionPhases.Pending);
        Assert.Contains("unschedulable", pending.Status.Message, StringComparison.Ordinal);
    }
}
