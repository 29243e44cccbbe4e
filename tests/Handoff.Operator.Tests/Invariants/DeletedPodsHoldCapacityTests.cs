using System.Net;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Handoff.Operator.Tests.Invariants.LiveCapacity;

namespace Handoff.Operator.Tests.Invariants;

/// <summary>
/// "Capacity is held by live pods" when a function or its pod is deleted (issue "Never over-commit, whatever users do",
/// cases 1, 3 and 11): a terminating pod keeps its capacity for its whole grace period, an orphaned pod until it ends,
/// and a function re-created under the same name runs a pod of its own. The sandbox's kubelet is off: the test ends pods.
/// </summary>
public sealed class DeletedPodsHoldCapacityTests
{
    private static Task DeleteFunctionAsync(SandboxCluster cluster, string name, string? propagation = null) =>
        cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, name,
            new V1DeleteOptions { PropagationPolicy = propagation }, cancellationToken: SandboxCluster.Ct);

    private static async Task<bool> GoneAsync(SandboxCluster cluster, string name)
    {
        try
        {
            await cluster.GetFunctionAsync(name);
            return false;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
    }

    [Fact]
    public async Task Deleting_a_running_function_keeps_its_capacity_while_its_pod_terminates()
    {
        var (cluster, auditor) = await StartAsync("2");
        await using var _ = cluster;
        await using var __ = auditor;
        await cluster.CreateFunctionAsync(SandboxCluster.Function("runs", Cpu("2")));
        var pod = await RunningAsync(cluster, "runs");
        await cluster.CreateFunctionAsync(SandboxCluster.Function("waiting", Cpu("2")));
        await cluster.WaitForPhaseAsync("waiting", FunctionPhases.Pending);

        // kubectl delete (cascade=background): the function goes, the garbage collector deletes its pod, which terminates
        // for its grace period (30 s, the default) — still running, still holding its 2 cpu.
        await DeleteFunctionAsync(cluster, "runs");
        await Wait.UntilAsync(() => GoneAsync(cluster, "runs"), "runs is gone");
        await TerminatingAsync(cluster, pod);
        await StaysPendingAsync(cluster, "waiting");
        Assert.Equal("2", (await cluster.GetNodeAsync("n1")).Status.Allocated!["cpu"]);

        // The kubelet stopped it: the capacity goes to the waiting function.
        await RemoveTerminatingAsync(cluster, pod);
        await cluster.WaitForPhaseAsync("waiting", FunctionPhases.Scheduled);
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task Deleting_a_running_function_with_cascade_orphan_keeps_its_capacity_until_the_orphaned_pod_ends()
    {
        var (cluster, auditor) = await StartAsync("2");
        await using var _ = cluster;
        await using var __ = auditor;
        await cluster.CreateFunctionAsync(SandboxCluster.Function("runs", Cpu("2")));
        var pod = await RunningAsync(cluster, "runs");
        await cluster.CreateFunctionAsync(SandboxCluster.Function("waiting", Cpu("2")));
        await cluster.WaitForPhaseAsync("waiting", FunctionPhases.Pending);

        await DeleteFunctionAsync(cluster, "runs", "Orphan");
        await Wait.UntilAsync(() => GoneAsync(cluster, "runs"), "runs is gone");
        var orphan = await WaitFor(
            async () => await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, cluster.Namespace, cancellationToken: SandboxCluster.Ct),
            p => p.Metadata.OwnerReferences is null or { Count: 0 }, "the pod is orphaned");
        Assert.Null(orphan.Metadata.DeletionTimestamp);
        await StaysPendingAsync(cluster, "waiting");
        Assert.Equal("2", (await cluster.GetNodeAsync("n1")).Status.Allocated!["cpu"]);

        await cluster.FinishPodAsync(orphan, "done");
        await cluster.WaitForPhaseAsync("waiting", FunctionPhases.Scheduled);
        Assert.Empty(auditor.Violations);
    }

    [Theory]
    [InlineData("evicted")]
    [InlineData("deleted")]
    public async Task A_pod_evicted_or_deleted_by_someone_else_is_retried_only_once_it_is_gone_and_its_room_stays_held(string how)
    {
        // A short back-off, so that the retry follows soon once the old pod is gone.
        var (cluster, auditor) = await StartAsync("4", options: new OperatorOptions { RetryBackoffInitial = TimeSpan.FromMilliseconds(100) });
        await using var _ = cluster;
        await using var __ = auditor;
        var f = SandboxCluster.Function("f", Cpu("2"));
        f.Spec.MaxRetries = 2;
        await cluster.CreateFunctionAsync(f);
        var first = await RunningAsync(cluster, "f");

        if (how == "evicted")
        {
            // What kubectl drain posts.
            await cluster.Client.CoreV1.CreateNamespacedPodEvictionAsync(
                new V1Eviction { Metadata = new V1ObjectMeta { Name = first.Metadata.Name, NamespaceProperty = cluster.Namespace } },
                first.Metadata.Name, cluster.Namespace, cancellationToken: SandboxCluster.Ct);
        }
        else
        {
            await cluster.Client.CoreV1.DeleteNamespacedPodAsync(first.Metadata.Name, cluster.Namespace, cancellationToken: SandboxCluster.Ct);
        }

        await TerminatingAsync(cluster, first);
        var terminating = await cluster.WaitForFunctionAsync("f", s => s.Status?.Message?.Contains("terminating", StringComparison.Ordinal) == true, "says its pod terminates");
        Assert.Equal(("pod f-1 is terminating; the next attempt starts once it is gone", FunctionPhases.Running), (terminating.Status.Message, terminating.Status.Phase));

        // The retry (2 cpu) would fit beside the terminating pod, a 4-cpu function only in its room: neither is placed
        // while it terminates (the attempt ends, and its back-off starts, only when the pod is gone).
        await cluster.CreateFunctionAsync(SandboxCluster.Function("other", Cpu("4")));
        await StaysPendingAsync(cluster, "other");
        Assert.Equal([first.Metadata.Name], (await cluster.PodsAsync("f")).Select(p => p.Metadata.Name));
        Assert.Equal("2", (await cluster.GetNodeAsync("n1")).Status.Allocated!["cpu"]);

        // The old pod is gone: its room is free. The retry (after its back-off) and "other" do not fit together; each
        // runs in turn, the second once the first has ended.
        await RemoveTerminatingAsync(cluster, first);
        for (var i = 0; i < 2; i++)
        {
            var next = await WaitFor(
                async () => (await cluster.PodsAsync()).Where(p => !string.IsNullOrEmpty(p.Spec.NodeName) && p.Status?.Phase is not ("Succeeded" or "Failed")).ToList(),
                pods => pods.Count == 1, "one pod runs");
            await cluster.StartPodAsync(next[0]);
            await cluster.FinishPodAsync(next[0], "ok");
        }

        var done = await cluster.WaitForPhaseAsync("f", FunctionPhases.Succeeded);
        Assert.Equal(("ok", 2, "f-2"), (done.Status.Result, done.Status.Attempts, done.Status.PodName));
        await cluster.WaitForPhaseAsync("other", FunctionPhases.Succeeded);
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task A_function_recreated_under_the_same_name_runs_its_own_pod_while_the_orphan_holds_its_capacity()
    {
        var (cluster, auditor) = await StartAsync("2");
        await using var _ = cluster;
        await using var __ = auditor;
        await cluster.CreateFunctionAsync(SandboxCluster.Function("f", Cpu("2")));
        var old = await RunningAsync(cluster, "f");

        // Deleted with its pod orphaned and created again as soon as the name is free.
        await DeleteFunctionAsync(cluster, "f", "Orphan");
        HandoffFunction? again = null;
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    again = await cluster.CreateFunctionAsync(SandboxCluster.Function("f", Cpu("2")));
                    return true;
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    return false; // the old one still waits for the garbage collector to orphan its pod
                }
            },
            "f is created again");
        var uid = again!.Metadata.Uid;

        // The orphan still runs and holds the node: the new f waits, and does not take the old pod for its own.
        var pending = await cluster.WaitForPhaseAsync("f", FunctionPhases.Pending);
        Assert.Equal(uid, pending.Metadata.Uid);
        Assert.Null(pending.Status.PodName);
        await cluster.FinishPodAsync(old, "old2");

        // The orphan ended with a result: not the new f's. The new f gets a pod of its own (owned by its UID).
        var own = await WaitFor(
            async () => (await cluster.PodsAsync("f")).Where(p => p.Metadata.OwnerReferences?.Any(o => o.Uid == uid) == true && !string.IsNullOrEmpty(p.Spec.NodeName)).ToList(),
            pods => pods.Count == 1, "the new f has a bound pod of its own");
        Assert.Equal(("f-1", "f-1-2"), (old.Metadata.Name, own[0].Metadata.Name)); // the orphan keeps its name
        var scheduled = await cluster.WaitForPhaseAsync("f", FunctionPhases.Scheduled);
        Assert.Null(scheduled.Status.Result);
        Assert.Equal(own[0].Metadata.Name, scheduled.Status.PodName);
        await cluster.StartPodAsync(own[0]);
        await cluster.FinishPodAsync(own[0], "new");
        var done = await cluster.WaitForPhaseAsync("f", FunctionPhases.Succeeded);
        Assert.Equal(("new", 1), (done.Status.Result, done.Status.Attempts));
        Assert.Empty(auditor.Violations);
    }
}
