using System.Globalization;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Invariants;

/// <summary>The steps the "capacity is held by live pods" tests share: a one-node cluster with an auditor, a running function, a function that must stay Pending.</summary>
internal static class LiveCapacity
{
    public static Dictionary<string, string> Cpu(string amount) => new() { ["cpu"] = amount };

    public static async Task<T> WaitFor<T>(Func<Task<T>> read, Func<T, bool> condition, string what)
    {
        T last = default!;
        await Wait.UntilAsync(async () => condition(last = await read()), what);
        return last;
    }

    /// <summary>A sandbox with Kubernetes node n1, HandoffNode n1 of <paramref name="capacity"/> cpu, an operator, and an auditor of n1.</summary>
    public static async Task<(SandboxCluster Cluster, BindingAuditor Auditor)> StartAsync(string capacity, RequestCounter? counter = null, OperatorOptions? options = null)
    {
        var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", Cpu(capacity));
        await cluster.StartOperatorAsync(options, handlers: counter is null ? null : () => [counter.CreateHandler()]);
        var auditor = new BindingAuditor(cluster, new Dictionary<string, long> { ["n1"] = long.Parse(capacity, CultureInfo.InvariantCulture) * 1000 }, _ => 0);
        return (cluster, auditor);
    }

    /// <summary>Waits for the function's pod, sets it Running (as its kubelet) and waits for the function to say so.</summary>
    public static async Task<V1Pod> RunningAsync(SandboxCluster cluster, string name)
    {
        var pod = await cluster.WaitForBoundPodAsync(name);
        await cluster.StartPodAsync(pod);
        await cluster.WaitForPhaseAsync(name, FunctionPhases.Running);
        return pod;
    }

    /// <summary>A few passes of the operator later, <paramref name="name"/> is still Pending and has no pod.</summary>
    public static async Task StaysPendingAsync(SandboxCluster cluster, string name)
    {
        // A function created now makes the operator run passes; when it is Pending too, those passes have seen it all.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("probe-" + Guid.NewGuid().ToString("N")[..6], Cpu("1000")));
        await Wait.UntilAsync(async () => (await cluster.ListFunctionsAsync()).Where(f => f.Metadata.Name.StartsWith("probe-", StringComparison.Ordinal)).All(f => f.Status?.Phase == FunctionPhases.Pending), "the probe is Pending");
        Assert.Equal(FunctionPhases.Pending, (await cluster.GetFunctionAsync(name)).Status.Phase);
        Assert.Empty(await cluster.PodsAsync(name));
    }

    /// <summary>Ends a terminating pod as its kubelet does when the container stopped: deleted with grace period 0.</summary>
    public static async Task RemoveTerminatingAsync(SandboxCluster cluster, V1Pod pod) =>
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, cluster.Namespace, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: SandboxCluster.Ct);

    /// <summary>Waits until the pod carries a deletionTimestamp (its grace period runs) and returns it.</summary>
    public static async Task<V1Pod> TerminatingAsync(SandboxCluster cluster, V1Pod pod) =>
        await WaitFor(
            async () => await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, cluster.Namespace, cancellationToken: SandboxCluster.Ct),
            p => p.Metadata.DeletionTimestamp is not null, $"{pod.Metadata.Name} is terminating");

    public static string AttemptOf(V1Pod pod) => pod.Metadata.Labels[HandoffApi.AttemptLabel];
}
