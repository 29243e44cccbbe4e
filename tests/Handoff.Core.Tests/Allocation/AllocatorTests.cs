using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Allocation;

public sealed class AllocatorTests
{
    private static (NodeSet Nodes, SimpleResourceTracker Tracker) Cluster(params NodeInfo[] nodes)
    {
        var tracker = new SimpleResourceTracker();
        foreach (var node in nodes)
        {
            tracker.SetNode(node.Name, node.Capacity);
        }

        return (new NodeSet(nodes), tracker);
    }

    private static NodeInfo Node(string name, params (string, string)[] capacity) => new(name, ResourceList.Of(capacity));

    private static PlacementRequest Request(params (string, string)[] cost) => new("default/f", ResourceList.Of(cost));

    [Fact]
    public void FirstAvailable_takes_the_first_node_in_ordinal_name_order_that_fits()
    {
        var (nodes, tracker) = Cluster(Node("c", ("cpu", "8")), Node("a", ("cpu", "2")), Node("b", ("cpu", "4")));
        Assert.Equal("a", Allocators.FirstAvailable.Allocate(Request(("cpu", "2")), nodes, tracker).Node);
        Assert.Equal("b", Allocators.FirstAvailable.Allocate(Request(("cpu", "3")), nodes, tracker).Node);
        Assert.True(tracker.TryAllocate("b", ResourceList.Of(("cpu", "2")), "x"));
        Assert.Equal("c", Allocators.FirstAvailable.Allocate(Request(("cpu", "3")), nodes, tracker).Node);
    }

    [Fact]
    public void Empty_cost_fits_any_schedulable_node()
    {
        var (nodes, tracker) = Cluster(Node("a", ("cpu", "0")), Node("b", ("cpu", "1")));
        Assert.Equal("a", Allocators.FirstAvailable.Allocate(Request(), nodes, tracker).Node);
    }

    [Fact]
    public void Ineligible_nodes_are_skipped_with_kube_scheduler_style_reasons()
    {
        var (nodes, tracker) = Cluster(
            Node("a", ("cpu", "8"), ("nvidia.com/gpu", "1")) with { Unschedulable = true },
            Node("b", ("cpu", "8")),
            Node("c", ("cpu", "8")),
            Node("d", ("cpu", "8"), ("nvidia.com/gpu", "4")) with { Ready = false });
        var decision = Allocators.FirstAvailable.Allocate(Request(("nvidia.com/gpu", "1")), nodes, tracker);
        Assert.False(decision.Success);
        Assert.False(decision.Unschedulable);
        Assert.Equal(
            "0/4 nodes are available: 1 node(s) were not ready, 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu.",
            decision.Message);
        Assert.Equal(
            [NodeRejectionReason.Unschedulable, NodeRejectionReason.InsufficientResources, NodeRejectionReason.InsufficientResources, NodeRejectionReason.NotReady],
            decision.Rejections.Select(r => r.Reason));
    }

    [Fact]
    public void Each_insufficient_resource_counts_separately()
    {
        var (nodes, tracker) = Cluster(Node("a", ("cpu", "1"), ("memory", "1")), Node("b", ("cpu", "8"), ("memory", "1")));
        var decision = Allocators.FirstAvailable.Allocate(Request(("cpu", "2"), ("memory", "2")), nodes, tracker);
        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory. Unschedulable: the cost (cpu=2, memory=2) exceeds the total capacity of every eligible node.", decision.Message);
        Assert.True(decision.Unschedulable);
        Assert.Equal(["cpu", "memory"], decision.Rejections[0].InsufficientResources);
    }

    [Fact]
    public void Does_not_fit_now_is_distinguished_from_can_never_fit()
    {
        var (nodes, tracker) = Cluster(Node("a", ("cpu", "4")), Node("b", ("cpu", "4")));
        Assert.True(tracker.TryAllocate("a", ResourceList.Of(("cpu", "3")), "x"));
        Assert.True(tracker.TryAllocate("b", ResourceList.Of(("cpu", "3")), "y"));
        var now = Allocators.FirstAvailable.Allocate(Request(("cpu", "2")), nodes, tracker);
        Assert.False(now.Success);
        Assert.False(now.Unschedulable);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu.", now.Message);
        var never = Allocators.FirstAvailable.Allocate(Request(("cpu", "5")), nodes, tracker);
        Assert.True(never.Unschedulable);
        Assert.All(never.Rejections, r => Assert.True(r.ExceedsCapacity));
    }

    [Fact]
    public void Never_fits_considers_only_nodes_matching_the_functions_constraints()
    {
        var big = Node("big", ("cpu", "64")) with { Labels = new Dictionary<string, string> { ["zone"] = "b" } };
        var small = Node("small", ("cpu", "2")) with { Labels = new Dictionary<string, string> { ["zone"] = "a" } };
        var (nodes, tracker) = Cluster(big, small);
        var request = Request(("cpu", "8")) with { NodeSelector = new Dictionary<string, string> { ["zone"] = "a" } };
        var decision = Allocators.FirstAvailable.Allocate(request, nodes, tracker);
        Assert.True(decision.Unschedulable);
        Assert.Equal(
            "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Function's node selector. Unschedulable: the cost (cpu=8) exceeds the total capacity of every eligible node.",
            decision.Message);
    }

    [Fact]
    public void A_cordoned_node_that_could_hold_the_cost_is_not_never_fits()
    {
        var (nodes, tracker) = Cluster(Node("a", ("cpu", "8")) with { Unschedulable = true }, Node("b", ("cpu", "1")));
        var decision = Allocators.FirstAvailable.Allocate(Request(("cpu", "4")), nodes, tracker);
        Assert.False(decision.Success);
        Assert.False(decision.Unschedulable);
    }

    [Fact]
    public void Selector_matches_all_pairs()
    {
        var (nodes, tracker) = Cluster(
            Node("a", ("cpu", "1")) with { Labels = new Dictionary<string, string> { ["zone"] = "a" } },
            Node("b", ("cpu", "1")) with { Labels = new Dictionary<string, string> { ["zone"] = "a", ["disk"] = "ssd" } });
        var request = Request() with { NodeSelector = new Dictionary<string, string> { ["zone"] = "a", ["disk"] = "ssd" } };
        Assert.Equal("b", Allocators.FirstAvailable.Allocate(request, nodes, tracker).Node);
    }

    [Fact]
    public void Pinned_node_is_still_capacity_checked()
    {
        var (nodes, tracker) = Cluster(Node("a", ("cpu", "8")), Node("b", ("cpu", "2")));
        Assert.Equal("b", Allocators.FirstAvailable.Allocate(Request(("cpu", "1")) with { Node = "b" }, nodes, tracker).Node);
        var decision = Allocators.FirstAvailable.Allocate(Request(("cpu", "4")) with { Node = "b" }, nodes, tracker);
        Assert.Equal(
            "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match the requested node name. Unschedulable: the cost (cpu=4) exceeds the total capacity of every eligible node (pinned to node b).",
            decision.Message);
        var missing = Allocators.FirstAvailable.Allocate(Request() with { Node = "zzz" }, nodes, tracker);
        Assert.True(missing.Unschedulable);
        Assert.EndsWith("Unschedulable: no node matches the function's constraints (pinned to node zzz).", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collocation_waits_for_the_target_then_uses_its_node()
    {
        var (nodes, tracker) = Cluster(Node("a", ("cpu", "8")), Node("b", ("cpu", "8")));
        var request = Request(("cpu", "1")) with { CollocateWith = "default/source" };
        var waiting = Allocators.FirstAvailable.Allocate(request, nodes, tracker);
        Assert.True(waiting.WaitingForCollocation);
        Assert.Equal("waiting for source to be placed (collocateWith)", waiting.Message);
        Assert.Equal("b", Allocators.LoadBalanced.Allocate(request with { CollocateNode = "b" }, nodes, tracker).Node);
        Assert.True(tracker.TryAllocate("b", ResourceList.Of(("cpu", "8")), "hog"));
        var full = Allocators.FirstAvailable.Allocate(request with { CollocateNode = "b" }, nodes, tracker);
        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match the node of collocateWith function source.", full.Message);
    }

    [Fact]
    public void No_nodes_at_all_is_unschedulable()
    {
        var decision = Allocators.FirstAvailable.Allocate(Request(), NodeSet.Empty, new SimpleResourceTracker());
        Assert.True(decision.Unschedulable);
        Assert.StartsWith("0/0 nodes are available: there are no HandoffNodes.", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_missing_from_the_tracker_is_not_eligible()
    {
        var nodes = new NodeSet([Node("a", ("cpu", "1"))]);
        var decision = Allocators.FirstAvailable.Allocate(Request(), nodes, new SimpleResourceTracker());
        Assert.Equal("0/1 nodes are available: 1 node(s) had no tracked capacity. Unschedulable: the cost ({}) exceeds the total capacity of every eligible node.", decision.Message);
    }

    [Fact]
    public void LoadBalanced_picks_the_node_left_most_free_and_BestFit_the_least()
    {
        var (nodes, tracker) = Cluster(Node("a", ("cpu", "8")), Node("b", ("cpu", "8")), Node("c", ("cpu", "4")));
        Assert.True(tracker.TryAllocate("a", ResourceList.Of(("cpu", "4")), "x"));
        // after placing 1 cpu: a 3/8, b 7/8, c 3/4
        Assert.Equal("b", Allocators.LoadBalanced.Allocate(Request(("cpu", "1")), nodes, tracker).Node);
        Assert.Equal("a", Allocators.BestFit.Allocate(Request(("cpu", "1")), nodes, tracker).Node);
    }

    [Fact]
    public void Scoring_uses_the_minimum_free_fraction_across_the_functions_resources()
    {
        var (nodes, tracker) = Cluster(
            Node("a", ("cpu", "10"), ("memory", "100")),
            Node("b", ("cpu", "10"), ("memory", "100")));
        Assert.True(tracker.TryAllocate("a", ResourceList.Of(("memory", "90")), "x"));
        Assert.True(tracker.TryAllocate("b", ResourceList.Of(("cpu", "5")), "y"));
        // cost cpu 1, memory 5: a -> min(9/10, 5/100)=0.05; b -> min(4/10, 95/100)=0.4
        var request = Request(("cpu", "1"), ("memory", "5"));
        Assert.Equal("b", Allocators.LoadBalanced.Allocate(request, nodes, tracker).Node);
        Assert.Equal("a", Allocators.BestFit.Allocate(request, nodes, tracker).Node);
    }

    [Fact]
    public void Scoring_ties_go_to_the_first_node_by_name()
    {
        var (nodes, tracker) = Cluster(Node("b", ("cpu", "4")), Node("a", ("cpu", "4")));
        Assert.Equal("a", Allocators.LoadBalanced.Allocate(Request(("cpu", "1")), nodes, tracker).Node);
        Assert.Equal("a", Allocators.BestFit.Allocate(Request(("cpu", "1")), nodes, tracker).Node);
    }

    [Fact]
    public void Strategy_names_parse_exactly()
    {
        Assert.True(Allocators.TryParseStrategy("BestFit", out var s));
        Assert.Equal(AllocationStrategy.BestFit, s);
        Assert.False(Allocators.TryParseStrategy("bestfit", out _));
        Assert.False(Allocators.TryParseStrategy(null, out _));
        Assert.Equal(["FirstAvailable", "LoadBalanced", "BestFit"], Allocators.StrategyNames);
        Assert.Same(Allocators.LoadBalanced, Allocators.For(AllocationStrategy.LoadBalanced));
    }

    [Fact]
    public void NodeSet_rejects_duplicates_and_sorts_ordinally()
    {
        Assert.Throws<ArgumentException>(() => new NodeSet([Node("a"), Node("a")]));
        var set = new NodeSet([Node("b"), Node("B"), Node("a")]);
        Assert.Equal(["B", "a", "b"], set.Select(n => n.Name));
        Assert.Null(set.Find("c"));
        Assert.Equal("a", set.Find("a")!.Name);
    }

    [Fact]
    public void Fraction_compares_exactly()
    {
        Assert.True(new Fraction(1, 3) < new Fraction(333_333_333_334, 1_000_000_000_000));
        Assert.True(new Fraction(long.MaxValue, long.MaxValue).CompareTo(new Fraction(1, 1)) == 0);
    }
}
