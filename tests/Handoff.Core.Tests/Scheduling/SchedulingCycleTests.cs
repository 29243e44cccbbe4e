using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Scheduling;

public sealed class SchedulingCycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static (IResourceTracker Tracker, NodeSet Nodes) Setup(params (string Name, string Cpu)[] nodes)
    {
        var tracker = new SimpleResourceTracker();
        var infos = nodes.Select(n => new NodeInfo(n.Name, ResourceList.Of(("cpu", n.Cpu)))).ToList();
        foreach (var n in infos)
        {
            tracker.SetNode(n.Name, n.Capacity);
        }

        return (tracker, new NodeSet(infos));
    }

    private static Workload Cpu(string id, string cpu, AllocationStrategy strategy = AllocationStrategy.FirstAvailable, int readyAfterSeconds = 0) =>
        new(new PlacementRequest(id, ResourceList.Of(("cpu", cpu))), strategy, new QueueOrderKey(T0.AddSeconds(readyAfterSeconds), T0, id));

    private static CycleResult Run(IResourceTracker tracker, NodeSet nodes, params Workload[] pending) =>
        SchedulingCycle.Run(new CycleInput(nodes, tracker, pending), TestContext.Current.CancellationToken);

    [Fact]
    public void A_workload_that_does_not_fit_does_not_block_the_ones_behind_it()
    {
        var (tracker, nodes) = Setup(("a", "4"), ("b", "2"));
        var result = Run(tracker, nodes, Cpu("f1", "3"), Cpu("f2", "3"), Cpu("f3", "2"), Cpu("f4", "9"));
        Assert.Equal([("f1", "a"), ("f3", "b")], result.Placed.Select(a => (a.Workload.Id, a.Node)));
        Assert.Equal(["f2", "f4"], result.Unplaced.Select(p => p.Workload.Id));
        Assert.Equal(Reasons.FailedScheduling, result.Unplaced[0].Reason);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu.", result.Unplaced[0].Message);
        Assert.Equal(Reasons.Unschedulable, result.Unplaced[1].Reason);
        Assert.Equal("a", tracker.NodeOf("f1"));
        Assert.Equal(1000, tracker.Available("a")!["cpu"]);
    }

    [Fact]
    public void Workloads_go_by_ready_time_then_creation_then_id_whatever_the_input_order()
    {
        var (tracker, nodes) = Setup(("a", "1"));
        var result = Run(tracker, nodes, Cpu("a-late", "1", readyAfterSeconds: 5), Cpu("z-early", "1"), Cpu("b-early", "1"));
        Assert.Equal("b-early", Assert.Single(result.Placed).Workload.Id);
        Assert.Equal(["z-early", "a-late"], result.Unplaced.Select(u => u.Workload.Id));
    }

    [Fact]
    public void Each_workload_uses_its_own_strategy()
    {
        var (tracker, nodes) = Setup(("a", "4"), ("b", "8"));
        var result = Run(tracker, nodes, Cpu("f1", "1", AllocationStrategy.BestFit), Cpu("f2", "1", AllocationStrategy.LoadBalanced), Cpu("f3", "1"));
        Assert.Equal(["a", "b", "a"], result.Placed.Select(a => a.Node));
    }

    [Fact]
    public void The_placement_is_held_under_the_workloads_holder_key()
    {
        var (tracker, nodes) = Setup(("a", "4"));
        var workload = Cpu("ns/f", "1") with { Holder = "ns/f-1" };
        Run(tracker, nodes, workload);
        Assert.Equal("a", tracker.NodeOf("ns/f-1"));
        Assert.Null(tracker.NodeOf("ns/f"));
    }

    [Fact]
    public void A_node_that_counts_pods_holds_one_pod_per_placement_and_refuses_when_full()
    {
        var tracker = new SimpleResourceTracker();
        var node = new NodeInfo("a", ResourceList.Of(("cpu", "8"), ("pods", "1"))) { CountsPods = true };
        tracker.SetNode("a", node.Capacity);
        var result = Run(tracker, new NodeSet([node]), Cpu("f1", "1"), Cpu("f2", "1"));
        var placed = Assert.Single(result.Placed);
        Assert.Equal(1000, placed.Held["pods"]);
        Assert.Equal("0/1 nodes are available: 1 Too many pods.", Assert.Single(result.Unplaced).Message);
    }

    [Fact]
    public void Collocation_follows_a_target_placed_in_the_same_cycle_or_known_from_before()
    {
        var (tracker, nodes) = Setup(("a", "1"), ("b", "8"));
        var follower = new Workload(new PlacementRequest("follower", ResourceList.Of(("cpu", "1"))) { CollocateWith = "leader" }, AllocationStrategy.FirstAvailable, new QueueOrderKey(T0, T0, "follower"));
        var early = follower with { Order = new QueueOrderKey(T0.AddSeconds(-1), T0, "follower") };
        var first = Run(tracker, nodes, early, Cpu("leader", "2"), follower with { Placement = follower.Placement with { Id = "follower2" }, Order = new QueueOrderKey(T0.AddSeconds(1), T0, "follower2") });
        Assert.Equal([("leader", "b"), ("follower2", "b")], first.Placed.Select(a => (a.Workload.Id, a.Node)));
        var waiting = Assert.Single(first.Unplaced);
        Assert.Equal(Reasons.WaitingForCollocation, waiting.Reason);
        Assert.Equal("waiting for leader to be placed (collocateWith)", waiting.Message);

        var second = SchedulingCycle.Run(
            new CycleInput(nodes, tracker, [follower]) { KnownPlacements = new Dictionary<string, string> { ["leader"] = "b" } },
            TestContext.Current.CancellationToken);
        Assert.Equal("b", Assert.Single(second.Placed).Node);
    }

    [Fact]
    public void A_failed_decision_is_reused_for_the_same_shape_until_something_is_placed()
    {
        var (tracker, nodes) = Setup(("a", "2"));
        var result = Run(tracker, nodes, Cpu("f1", "2"), Cpu("f2", "2"), Cpu("f3", "2"));
        Assert.Same(result.Unplaced[0].Decision, result.Unplaced[1].Decision);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        var (tracker, nodes) = Setup(("a", "4"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => SchedulingCycle.Run(new CycleInput(nodes, tracker, [Cpu("f", "1")]), cts.Token));
    }
}
