using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;

namespace Handoff.Operator.Tests.Scenarios;

public sealed class LeaderElectionTests
{
    internal static OperatorOptions Replica(SandboxCluster cluster, string identity) => new()
    {
        LeaderElect = true,
        LeaseName = "handoff-operator",
        LeaseNamespace = cluster.Namespace,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1.5),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Only_the_leader_binds_and_the_other_replica_takes_over_when_it_stops()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", new Dictionary<string, string> { ["cpu"] = "100" });
        var recorderA = new ApiCallRecorder();
        var recorderB = new ApiCallRecorder();
        var a = await cluster.StartOperatorAsync(Replica(cluster, "replica-a"), handlers: () => [recorderA.CreateHandler()]);
        var b = await cluster.StartOperatorAsync(Replica(cluster, "replica-b"), handlers: () => [recorderB.CreateHandler()]);
        await Wait.UntilAsync(() => a.Operator.IsLeader || b.Operator.IsLeader, "a leader is elected");
        var (leader, follower, followerCalls) = a.Operator.IsLeader ? (a, b, recorderB) : (b, a, recorderA);
        Assert.False(follower.Operator.IsLeader);
        await Wait.UntilAsync(() => follower.Operator.IsReady, "the follower's caches are synced too");

        for (var i = 0; i < 5; i++)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function($"before-{i}", new Dictionary<string, string> { ["cpu"] = "1" }));
        }

        for (var i = 0; i < 5; i++)
        {
            await cluster.WaitForPhaseAsync($"before-{i}", FunctionPhases.Scheduled);
        }

        static bool Writes(ApiCall c) => c.Verb is "create" or "patch" or "update" or "delete" && c.Resource != "leases";
        Assert.DoesNotContain(followerCalls.Calls, Writes);
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-operator", cluster.Namespace, cancellationToken: SandboxCluster.Ct);
        Assert.Equal(leader.Operator.Options.Identity, lease.Spec.HolderIdentity);

        await cluster.StopOperatorAsync(leader);
        await Wait.UntilAsync(() => follower.Operator.IsLeader, "the other replica takes over", TimeSpan.FromSeconds(15));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("after", new Dictionary<string, string> { ["cpu"] = "1" }));
        Assert.Equal("w1", (await cluster.WaitForPhaseAsync("after", FunctionPhases.Scheduled)).Status.Node);
        Assert.Contains(followerCalls.Calls, c => c is { Verb: "create", Resource: "pods/binding" });
        Assert.Equal(6, (await cluster.PodsAsync()).Count); // the new leader rebuilt its tracker and duplicated nothing
        await Wait.UntilAsync(async () => (await cluster.GetNodeAsync("w1")).Status?.Functions == 6, "the new leader counts all six functions");
    }
}
