using System.Collections.Concurrent;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>Leader election as a user sees it: graceful handover, and a leader cut off past its lease never writes again.</summary>
public sealed class LeadershipTests
{
    private static OperatorOptions Replica(SandboxCluster cluster, string identity, TimeSpan lease) => new()
    {
        LeaderElect = true,
        LeaseName = "handoff-operator",
        LeaseNamespace = cluster.Namespace,
        Identity = identity,
        LeaseDuration = lease,
        RenewDeadline = lease * 0.7,
        RetryPeriod = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task A_leader_that_stops_gracefully_releases_its_lease_so_the_standby_takes_over_at_once()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        var lease = TimeSpan.FromSeconds(30);
        var a = await cluster.StartOperatorAsync(Replica(cluster, "replica-a", lease));
        await Wait.UntilAsync(() => a.Operator.IsLeader, "a leads");
        var b = await cluster.StartOperatorAsync(Replica(cluster, "replica-b", lease));
        await Wait.UntilAsync(() => b.Operator.IsReady, "b's caches are synced");

        var stopped = DateTimeOffset.UtcNow;
        await cluster.StopOperatorAsync(a);
        await Wait.UntilAsync(() => b.Operator.IsLeader, "b takes over", TimeSpan.FromSeconds(10));
        Assert.True(DateTimeOffset.UtcNow - stopped < lease / 3, "the takeover did not wait for the lease to expire");
    }

    [Fact]
    public async Task A_leader_cut_off_past_its_lease_writes_nothing_after_the_new_leader_starts_and_no_phase_goes_back()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", new Dictionary<string, string> { ["cpu"] = "100" });
        var lease = TimeSpan.FromSeconds(2);
        var cutOff = new FreezableHandler.Switch();
        var writesOfA = new ConcurrentQueue<(DateTimeOffset At, string What)>();
        var writesOfB = new ConcurrentQueue<(DateTimeOffset At, string What)>();
        var a = await cluster.StartOperatorAsync(Replica(cluster, "replica-a", lease), handlers: () => [new FreezableHandler(cutOff, writesOfA)]);
        await Wait.UntilAsync(() => a.Operator.IsLeader, "a leads");
        var b = await cluster.StartOperatorAsync(Replica(cluster, "replica-b", lease), handlers: () => [new FreezableHandler(new FreezableHandler.Switch(), writesOfB)]);
        await using var kubelet = new TestKubelet(cluster, _ => new PodOutcome("ok"));
        for (var i = 0; i < 10; i++)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function($"before-{i}", new Dictionary<string, string> { ["cpu"] = "1" }));
        }

        await cluster.WaitForPhaseAsync("before-9", FunctionPhases.Succeeded);

        // a is cut off from the API server (as a paused process is): its lease expires and b takes over.
        cutOff.Freeze();
        await Wait.UntilAsync(() => b.Operator.IsLeader, "b takes over", TimeSpan.FromSeconds(15));
        for (var i = 0; i < 10; i++)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function($"after-{i}", new Dictionary<string, string> { ["cpu"] = "1" }));
        }

        await cluster.WaitForPhaseAsync("after-9", FunctionPhases.Succeeded);
        var firstWriteOfB = writesOfB.Where(w => !w.What.Contains("leases", StringComparison.Ordinal)).Min(w => w.At);

        // a comes back: whatever it had in flight goes out, but it starts no new write. (In-process, a's elector gives up
        // at its renew deadline even while cut off; the fence that stops a resumed process's worker before its elector
        // notices is proven by PausedLeaderTests, with the binary stopped by SIGSTOP.)
        cutOff.Thaw();
        await Wait.UntilAsync(() => !a.Operator.IsLeader, "a knows it is not the leader");
        for (var i = 0; i < 5; i++)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function($"late-{i}", new Dictionary<string, string> { ["cpu"] = "1" }));
        }

        // Every function, not only the last created: with calls in parallel the last may finish before the others.
        foreach (var name in Enumerable.Range(0, 10).Select(i => $"after-{i}").Concat(Enumerable.Range(0, 5).Select(i => $"late-{i}")))
        {
            await cluster.WaitForPhaseAsync(name, FunctionPhases.Succeeded);
        }

        var lateWritesOfA = writesOfA.Where(w => w.At > firstWriteOfB && !w.What.Contains("leases", StringComparison.Ordinal)).ToList();
        Assert.True(lateWritesOfA.Count == 0, "a wrote after b's first write: " + string.Join("; ", lateWritesOfA.Select(w => w.What)));
        foreach (var f in await cluster.ListFunctionsAsync())
        {
            Assert.Equal(FunctionPhases.Succeeded, f.Status.Phase);
        }
    }

    /// <summary>Holds every new request of one operator while frozen (a cut-off network), and notes when each write started.</summary>
    private sealed class FreezableHandler(FreezableHandler.Switch gate, ConcurrentQueue<(DateTimeOffset At, string What)> writes) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Get)
            {
                writes.Enqueue((DateTimeOffset.UtcNow, $"{request.Method} {request.RequestUri!.AbsolutePath}"));
            }

            await gate.WaitAsync(cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }

        public sealed class Switch
        {
            private volatile TaskCompletionSource _open = Completed();

            public void Freeze() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            public void Thaw() => _open.TrySetResult();

            public Task WaitAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);

            private static TaskCompletionSource Completed()
            {
                var done = new TaskCompletionSource();
                done.SetResult();
                return done;
            }
        }
    }
}
