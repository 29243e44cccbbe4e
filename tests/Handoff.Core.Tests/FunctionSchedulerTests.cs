using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests;

public sealed class FunctionSchedulerTests
{
    private static (FunctionScheduler Scheduler, NodeSet Nodes) Setup(params (string Name, string Cpu)[] nodes)
    {
        var tracker = new SimpleResourceTracker();
        var infos = nodes.Select(n => new NodeInfo(n.Name, ResourceList.Of(("cpu", n.Cpu)))).ToList();
        foreach (var n in infos)
        {
            tracker.SetNode(n.Name, n.Capacity);
        }

        return (new FunctionScheduler(tracker), new NodeSet(infos));
    }

    private static SchedulingRequest Cpu(string id, string cpu, AllocationStrategy strategy = AllocationStrategy.FirstAvailable) =>
        new(new PlacementRequest(id, ResourceList.Of(("cpu", cpu))), strategy);

    [Fact]
    public void A_function_that_does_not_fit_does_not_block_the_ones_behind_it()
    {
        var (scheduler, nodes) = Setup(("a", "4"), ("b", "2"));
        var result = scheduler.Schedule(nodes, [Cpu("f1", "3"), Cpu("f2", "3"), Cpu("f3", "2"), Cpu("f4", "9")], TestContext.Current.CancellationToken);
        Assert.Equal([("f1", "a"), ("f3", "b")], result.Assignments.Select(a => (a.Id, a.Node)));
        Assert.Equal(["f2", "f4"], result.Pending.Select(p => p.Id));
        Assert.False(result.Pending[0].Unschedulable);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu.", result.Pending[0].Message);
        Assert.True(result.Pending[1].Unschedulable);
        Assert.Equal("a", scheduler.Tracker.NodeOf("f1"));
        Assert.Equal(1000, scheduler.Tracker.Available("a")!["cpu"]);
    }

    [Fact]
    public void Each_function_uses_its_own_strategy()
    {
        var (scheduler, nodes) = Setup(("a", "4"), ("b", "8"));
        var result = scheduler.Schedule(nodes, [Cpu("f1", "1", AllocationStrategy.BestFit), Cpu("f2", "1", AllocationStrategy.LoadBalanced), Cpu("f3", "1")], TestContext.Current.CancellationToken);
        Assert.Equal(["a", "b", "a"], result.Assignments.Select(a => a.Node));
    }

    [Fact]
    public void Already_held_functions_are_reported_without_a_second_allocation()
    {
        var (scheduler, nodes) = Setup(("a", "4"));
        Assert.True(scheduler.Tracker.TryAllocate("a", ResourceList.Of(("cpu", "1")), "f1"));
        var result = scheduler.Schedule(nodes, [Cpu("f1", "1")], TestContext.Current.CancellationToken);
        Assert.True(Assert.Single(result.Assignments).AlreadyHeld);
        Assert.Equal(3000, scheduler.Tracker.Available("a")!["cpu"]);
    }

    [Fact]
    public void Collocation_follows_a_target_placed_in_the_same_cycle_or_held_in_the_tracker()
    {
        var (scheduler, nodes) = Setup(("a", "1"), ("b", "8"));
        var follower = new SchedulingRequest(new PlacementRequest("follower", ResourceList.Of(("cpu", "1"))) { CollocateWith = "leader" });
        var first = scheduler.Schedule(nodes, [follower, Cpu("leader", "2"), follower with { Placement = follower.Placement with { Id = "follower2" } }], TestContext.Current.CancellationToken);
        Assert.Equal([("leader", "b"), ("follower2", "b")], first.Assignments.Select(a => (a.Id, a.Node)));
        Assert.True(Assert.Single(first.Pending).Decision.WaitingForCollocation);
        var second = scheduler.Schedule(nodes, [follower], TestContext.Current.CancellationToken);
        Assert.Equal("b", Assert.Single(second.Assignments).Node);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        var (scheduler, nodes) = Setup(("a", "4"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => scheduler.Schedule(nodes, [Cpu("f", "1")], cts.Token));
    }

    [Fact]
    public void Concurrent_cycles_never_over_commit()
    {
        var (scheduler, nodes) = Setup(("a", "10"), ("b", "10"));
        var placed = 0;
        Parallel.For(0, 8, t =>
        {
            var result = scheduler.Schedule(nodes, Enumerable.Range(0, 10).Select(i => Cpu($"t{t}-f{i}", "1")), TestContext.Current.CancellationToken);
            Interlocked.Add(ref placed, result.Assignments.Count);
        });
        Assert.Equal(20, placed);
        Assert.All(scheduler.Tracker.Snapshot(), u => Assert.Equal(0, u.Available["cpu"]));
    }
}
