using Handoff.Core.Lifecycle;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// A leader whose pod cache is behind its function cache — what a new leader sees when its pod watch lags its function
/// watch after a takeover (found by the chaos suite's CI seed under load) — does not take back what the last leader
/// wrote from the pods: a status contradicting the pods it sees is written only once the API server confirms the pod.
/// </summary>
public sealed class StalePodCacheTests
{
    private static readonly Dictionary<string, string> Cpu = new() { ["cpu"] = "1" };

    /// <summary>The operator's pod cache as it would be with <paramref name="pod"/> at an older version, or without it (null).</summary>
    private static void MakeStale(RunningOperator op, string key, PodRecord? pod)
    {
        var cache = op.Operator.Pods.Cache;
        cache.Replace([.. cache.List().Where(p => ResourceCache<PodRecord>.KeyOf(p) != key), .. pod is null ? Array.Empty<PodRecord>() : [pod]]);
    }

    private static async Task PassesAsync(RunningOperator op, int passes)
    {
        var target = op.Operator.Passes + passes;
        op.Operator.Queue.Add(HandoffOperator.SyncKey);
        await Wait.UntilAsync(
            () =>
            {
                op.Operator.Queue.Add(HandoffOperator.SyncKey);
                return op.Operator.Passes >= target;
            },
            $"{passes} more passes");
    }

    /// <summary>A cluster with an operator and <paramref name="function"/>'s pod bound and running.</summary>
    private static async Task<(SandboxCluster Cluster, RunningOperator Op, V1Pod Pod)> RunningAsync(string function)
    {
        var cluster = await SandboxCluster.StartAsync(["stale-node"]);
        await cluster.CreateNodeAsync("stale-node", Cpu);
        var op = await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(SandboxCluster.Function(function, Cpu));
        var pod = await cluster.WaitForBoundPodAsync(function);
        await cluster.StartPodAsync(pod);
        return (cluster, op, pod);
    }

    [Fact]
    public async Task A_finished_pod_seen_still_running_does_not_take_a_Succeeded_status_back()
    {
        var (cluster, op, running) = await RunningAsync("f");
        await using var disposeCluster = cluster;
        await cluster.FinishPodAsync(running, "done");
        await cluster.WaitForPhaseAsync("f", FunctionPhases.Succeeded);

        // The cache goes back to the pod as it was while bound and not finished.
        var key = $"{cluster.Namespace}/{running.Metadata.Name}";
        MakeStale(op, key, CacheTransforms.Pod(running));
        Assert.False(op.Operator.Pods.Cache.Get(key)!.Attempt!.IsTerminal);
        await PassesAsync(op, 3);

        var f = await cluster.GetFunctionAsync("f");
        Assert.Equal((FunctionPhases.Succeeded, "done"), (f.Status.Phase, f.Status.Result));
        Assert.True(op.Operator.Pods.Cache.Get(key)!.Attempt!.IsTerminal, "the cache learned the pod as it is");
    }

    [Fact]
    public async Task A_running_pod_not_seen_yet_does_not_make_its_function_retry()
    {
        var (cluster, op, pod) = await RunningAsync("g");
        await using var disposeCluster = cluster;
        await cluster.WaitForPhaseAsync("g", FunctionPhases.Running);

        // The cache loses the pod, as a new leader's would before its pod watch brings it.
        var key = $"{cluster.Namespace}/{pod.Metadata.Name}";
        MakeStale(op, key, null);
        await PassesAsync(op, 3);

        var g = await cluster.GetFunctionAsync("g");
        Assert.Equal((FunctionPhases.Running, 1, pod.Metadata.Name), (g.Status.Phase, g.Status.Attempts, g.Status.PodName));
        Assert.Single(await cluster.PodsAsync("g"));
        Assert.Contains(cluster.Server.Requests.Snapshot(), r => r.Key.Verb == "get" && r.Key.Resource == "pods");
    }

    [Fact]
    public async Task A_running_pod_not_seen_yet_does_not_fail_the_dependents_of_a_function_out_of_retries()
    {
        // Found by the chaos suite: a new leader derived such a function failed (its pod "deleted", no retry left), did
        // not write that (the pod was confirmed), yet failed its dependents in the same pass.
        var cluster = await SandboxCluster.StartAsync(["stale-node"]);
        await using var disposeCluster = cluster;
        await cluster.CreateNodeAsync("stale-node", Cpu);
        var op = await cluster.StartOperatorAsync();
        var g = SandboxCluster.Function("g", Cpu);
        g.Spec.MaxRetries = 0;
        await cluster.CreateFunctionAsync(g);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("h", Cpu, "g"));
        var pod = await cluster.WaitForBoundPodAsync("g");
        await cluster.StartPodAsync(pod);
        await cluster.WaitForPhaseAsync("g", FunctionPhases.Running);

        MakeStale(op, $"{cluster.Namespace}/{pod.Metadata.Name}", null);
        await PassesAsync(op, 3);

        Assert.Equal(FunctionPhases.Running, (await cluster.GetFunctionAsync("g")).Status.Phase);
        var h = await cluster.GetFunctionAsync("h");
        Assert.NotEqual(FunctionPhases.Failed, h.Status?.Phase);
        Assert.Empty(await cluster.PodsAsync("h"));

        // And once g's pod succeeds, h runs.
        await cluster.FinishPodAsync(pod, "42");
        await cluster.WaitForBoundPodAsync("h");
    }
}
