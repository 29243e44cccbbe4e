using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Models;
using static Handoff.Operator.Tests.Invariants.LiveCapacity;

namespace Handoff.Operator.Tests.Invariants;

/// <summary>
/// "Capacity is held by live pods" against ordinary operations that broke it before (issue "Never over-commit, whatever
/// users do"): each test has a waiting function that would fit only if the operator gave up capacity a live pod still
/// uses, and an auditor that checks every binding against the live pods of its node.
/// </summary>
public sealed class CapacityHeldByLivePodsTests
{
    [Fact]
    public async Task A_function_held_by_a_finalizer_keeps_its_capacity_while_its_pod_runs()
    {
        var (cluster, auditor) = await StartAsync("2");
        await using var _ = cluster;
        await using var __ = auditor;
        var held = SandboxCluster.Function("held", Cpu("2"));
        held.Metadata.Finalizers = ["example.com/keep"];
        await cluster.CreateFunctionAsync(held);
        var pod = await RunningAsync(cluster, "held");
        await cluster.CreateFunctionAsync(SandboxCluster.Function("waiting", Cpu("2")));
        await cluster.WaitForPhaseAsync("waiting", FunctionPhases.Pending);

        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, "held", cancellationToken: SandboxCluster.Ct);
        Assert.NotNull((await cluster.GetFunctionAsync("held")).Metadata.DeletionTimestamp);
        await StaysPendingAsync(cluster, "waiting");

        // The pod ends: its capacity goes to the waiting function.
        await cluster.FinishPodAsync(pod, "done");
        await cluster.WaitForPhaseAsync("waiting", FunctionPhases.Scheduled);
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task Editing_the_cost_of_a_running_function_changes_only_its_next_attempt()
    {
        var (cluster, auditor) = await StartAsync("4");
        await using var _ = cluster;
        await using var __ = auditor;
        await cluster.CreateFunctionAsync(SandboxCluster.Function("runs", Cpu("2")));
        await RunningAsync(cluster, "runs");
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"cost":{"cpu":"4"}}}""", V1Patch.PatchType.MergePatch),
            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, "runs", cancellationToken: SandboxCluster.Ct);

        // The pod holds the 2 it was placed with: a 4-cpu function does not fit beside it, a 2-cpu one does.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("four", Cpu("4")));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("two", Cpu("2")));
        await cluster.WaitForPhaseAsync("two", FunctionPhases.Scheduled);
        await cluster.WaitForPhaseAsync("four", FunctionPhases.Pending);
        Assert.Empty(await cluster.PodsAsync("four"));
        await Wait.UntilAsync(async () => (await cluster.GetNodeAsync("n1")).Status.Allocated?.TryGetValue("cpu", out var cpu) == true && cpu == "4", "the node reports 2 + 2 allocated");
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task A_status_written_by_hand_is_overwritten_with_the_truth_and_releases_nothing()
    {
        var (cluster, auditor) = await StartAsync("2");
        await using var _ = cluster;
        await using var __ = auditor;
        await cluster.CreateFunctionAsync(SandboxCluster.Function("runs", Cpu("2")));
        await RunningAsync(cluster, "runs");
        await cluster.CreateFunctionAsync(SandboxCluster.Function("waiting", Cpu("2")));
        await cluster.WaitForPhaseAsync("waiting", FunctionPhases.Pending);

        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Succeeded","result":"forged"}}""", V1Patch.PatchType.MergePatch),
            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, "runs", cancellationToken: SandboxCluster.Ct);
        var truth = await cluster.WaitForFunctionAsync("runs", f => f.Status?.Phase == FunctionPhases.Running, "is Running again");
        Assert.Null(truth.Status.Result);
        await StaysPendingAsync(cluster, "waiting");
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task Two_HandoffNodes_of_one_Node_count_its_capacity_once_and_the_younger_says_why()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("first", Cpu("2"), nodeName: "n1");
        await cluster.CreateNodeAsync("second", Cpu("2"), nodeName: "n1");
        await cluster.StartOperatorAsync();
        await using var auditor = new BindingAuditor(cluster, new Dictionary<string, long> { ["n1"] = 2000 }, _ => 0);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("a", Cpu("2")));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("b", Cpu("2")));
        await cluster.WaitForPhaseAsync("a", FunctionPhases.Scheduled);
        var b = await cluster.WaitForPhaseAsync("b", FunctionPhases.Pending);
        Assert.Equal("first", (await cluster.GetFunctionAsync("a")).Status.Node);

        var second = await WaitFor(async () => await cluster.GetNodeAsync("second"), n => n.Status?.Conditions?.Any(c => c.Reason == Reasons.DuplicateNode) == true, "second is reported a duplicate");
        var ready = second.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal((ConditionStatus.False, "Kubernetes node n1 is already claimed by HandoffNode first (the older one); this one is not used"), (ready.Status, ready.Message));
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu.", b.Status.Message);
        await Wait.UntilAsync(async () => (await cluster.Client.CoreV1.ListEventForAllNamespacesAsync(cancellationToken: SandboxCluster.Ct)).Items
            .Any(e => e.Reason == Reasons.DuplicateNode && e.InvolvedObject.Name == "second"), "a DuplicateNode Event");
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task A_capacity_cut_below_what_runs_is_reported_and_nothing_new_is_placed_until_it_fits()
    {
        var (cluster, auditor) = await StartAsync("4");
        await using var _ = cluster;
        await using var __ = auditor;
        var pods = new List<V1Pod>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function(name, Cpu("1")));
            pods.Add(await RunningAsync(cluster, name));
        }

        await cluster.Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"capacity":{"cpu":"1"}}}""", V1Patch.PatchType.MergePatch),
            HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, "n1", cancellationToken: SandboxCluster.Ct);
        var node = await WaitFor(async () => await cluster.GetNodeAsync("n1"),
            n => n.Status?.Conditions?.Any(c => c.Type == "Overcommitted" && c.Status == ConditionStatus.True) == true, "n1 says it is over-committed");
        Assert.Equal("0", node.Status.Available!["cpu"]);
        Assert.Equal("3", node.Status.Allocated!["cpu"]);
        Assert.StartsWith("cpu: 3 allocated, capacity 1", node.Status.Conditions!.Single(c => c.Type == "Overcommitted").Message, StringComparison.Ordinal);

        await cluster.CreateFunctionAsync(SandboxCluster.Function("d", Cpu("1")));
        await StaysPendingAsync(cluster, "d");
        foreach (var pod in pods)
        {
            await cluster.FinishPodAsync(pod, "ok");
        }

        await cluster.WaitForPhaseAsync("d", FunctionPhases.Scheduled);
        await WaitFor(async () => await cluster.GetNodeAsync("n1"),
            n => n.Status?.Conditions?.Any(c => c.Type == "Overcommitted" && c.Status == ConditionStatus.False) == true, "n1 is within capacity again");
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task Deleting_a_functions_pod_writes_its_status_once_per_change_with_the_message_named_once()
    {
        var counter = new RequestCounter();
        var (cluster, auditor) = await StartAsync("2", counter);
        await using var _ = cluster;
        await using var __ = auditor;
        var f = SandboxCluster.Function("f", Cpu("1"));
        f.Spec.MaxRetries = 2;
        await cluster.CreateFunctionAsync(f);
        var pod = await RunningAsync(cluster, "f");
        var before = counter.Count(HttpMethod.Patch, "/handofffunctions/f/status");

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, cluster.Namespace, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: SandboxCluster.Ct);
        var retrying = await cluster.WaitForFunctionAsync("f", s => s.Status?.RetryAfter is not null, "waits for its retry");
        Assert.Equal($"pod f-1 was deleted; retry 1 of 2 after {retrying.Status.RetryAfter!.Value:yyyy-MM-ddTHH:mm:ssZ}", retrying.Status.Message);

        // More passes (another function comes and goes) change nothing about f: no further write, no longer message.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("other", Cpu("1")));
        await RunningAsync(cluster, "other");
        Assert.Equal(retrying.Status.Message, (await cluster.GetFunctionAsync("f")).Status.Message);
        Assert.InRange(counter.Count(HttpMethod.Patch, "/handofffunctions/f/status") - before, 1, 2);
        Assert.Empty(auditor.Violations);
    }
}
