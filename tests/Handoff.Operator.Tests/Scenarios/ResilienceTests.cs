using System.Globalization;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;

namespace Handoff.Operator.Tests.Scenarios;

public sealed class ResilienceTests
{
    private static Dictionary<string, string> Cpu(long cpu) => new() { ["cpu"] = cpu.ToString(CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Watch_disconnects_expired_history_and_injected_409_500_429_errors_are_recovered_from()
    {
        var nodes = new[] { "w1", "w2" };
        await using var cluster = await SandboxCluster.StartAsync(nodes);
        foreach (var n in nodes)
        {
            await cluster.CreateNodeAsync(n, Cpu(2));
        }

        await using var auditor = new BindingAuditor(cluster, nodes.ToDictionary(n => n, _ => 2000L), _ => 1000);
        var op = await cluster.StartOperatorAsync();
        await using var kubelet = new TestKubelet(cluster, pod => new PodOutcome(string.Join("+", SandboxCluster.ArgsOf(pod).Prepend("1"))));
        var faults = cluster.Server.Faults;
        faults.FailNext(4, 500, "patch", "handofffunctions");
        faults.FailNext(3, 409, "patch", "handoffnodes");
        faults.FailNext(4, 429, "create", "pods");
        faults.FailNext(2, 500, "create", "pods/binding");
        for (var i = 0; i < 30; i++)
        {
            var f = SandboxCluster.Function($"f-{i:00}", Cpu(1), i >= 10 ? [$"f-{i - 10:00}"] : []);
            await cluster.CreateFunctionAsync(f);
            if (i == 10)
            {
                Assert.True(faults.CloseAllWatches() > 0, "watches were open");
            }

            if (i == 20)
            {
                faults.ExpireWatchHistory();
                faults.CloseAllWatches();
                faults.FailNext(2, 500, "list");
            }
        }

        await Wait.UntilAsync(
            async () => (await cluster.ListFunctionsAsync()).All(f => f.Status?.Phase == FunctionPhases.Succeeded),
            "all functions succeed", TimeSpan.FromSeconds(60));
        Assert.Equal(0, faults.PendingFailures);
        Assert.True(op.Operator.IsReady);
        Assert.Equal("1+1+1", (await cluster.GetFunctionAsync("f-29")).Status.Result);
        Assert.Equal(30, (await cluster.PodsAsync()).Count);
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task A_watch_the_server_ends_ends_without_an_error_and_one_resumed_after_a_410_storm_is_expired()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        var source = Operator.Infrastructure.WatchSources.Nodes(cluster.Streams, TimeSpan.FromSeconds(30));
        var list = (await source.ListAsync(0, n => n, SandboxCluster.Ct).ToListAsync(SandboxCluster.Ct)).Single();
        var events = new List<Operator.Infrastructure.ResourceWatchEvent<k8s.Models.V1Node>>();
        var watch = Task.Run(async () =>
        {
            await foreach (var ev in source.WatchAsync(list.ResourceVersion, SandboxCluster.Ct))
            {
                events.Add(ev);
            }
        }, SandboxCluster.Ct);
        await Wait.UntilAsync(() => cluster.Server.Faults.CloseAllWatches() > 0, "the watch is open, then closed");
        await watch.WaitAsync(TimeSpan.FromSeconds(10), SandboxCluster.Ct);

        // A 410 storm: the history is gone too, so resuming from the list's version (older than a write since) is expired.
        await cluster.CreateNodeAsync("w2", Cpu(1));
        cluster.Server.Faults.ExpireWatchHistory();
        await AssertExpiredAsync(source, list.ResourceVersion);
        Assert.DoesNotContain(events, ev => ev.Object is null);
    }

    [Fact]
    public async Task A_watch_from_a_version_older_than_the_kept_history_is_reported_as_expired()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        var source = Operator.Infrastructure.WatchSources.Pods(cluster.Streams, TimeSpan.FromSeconds(30));
        var list = (await source.ListAsync(0, p => p, SandboxCluster.Ct).ToListAsync(SandboxCluster.Ct)).Single();
        await cluster.CreateNodeAsync("w1", Cpu(1));
        var f = await cluster.CreateFunctionAsync(SandboxCluster.Function("f"));
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(
            Operator.Controllers.FunctionPods.Build(f, Api.Mapping.HandoffMapper.ToFunction(f), "f-1", 1, "w1", "handoff", []), cluster.Namespace, cancellationToken: SandboxCluster.Ct);
        cluster.Server.Faults.ExpireWatchHistory();
        await AssertExpiredAsync(source, list.ResourceVersion);
    }

    /// <summary>A watch from <paramref name="resourceVersion"/> ends at once as expired (410), with no event.</summary>
    private static Task AssertExpiredAsync<T>(Operator.Infrastructure.IWatchSource<T> source, string resourceVersion) =>
        Assert.ThrowsAsync<Operator.Infrastructure.ResourceExpiredException>(async () =>
        {
            await foreach (var ev in source.WatchAsync(resourceVersion, SandboxCluster.Ct))
            {
                Assert.Fail("no event expected, got " + ev.Type);
            }
        });
}
