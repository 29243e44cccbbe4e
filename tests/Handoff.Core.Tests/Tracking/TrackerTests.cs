using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Tracking;

public sealed class TrackerTests
{
    private static readonly ResourceList Capacity = ResourceList.Of(("cpu", "8"), ("memory", "16000"), ("gpu", "2"));

    [Fact]
    public void Allocates_within_capacity_and_refuses_beyond_it()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("n1", Capacity);
        Assert.True(tracker.TryAllocate("n1", ResourceList.Of(("cpu", "6"), ("gpu", "1")), "f1"));
        Assert.False(tracker.TryAllocate("n1", ResourceList.Of(("cpu", "3")), "f2"));
        Assert.True(tracker.TryAllocate("n1", ResourceList.Of(("cpu", "2"), ("gpu", "1")), "f2"));
        Assert.False(tracker.TryAllocate("n1", ResourceList.Of(("gpu", "1")), "f3"));
        var usage = tracker.GetNode("n1")!;
        Assert.Equal(ResourceList.Of(("cpu", "8"), ("gpu", "2")), usage.Allocated);
        Assert.Equal(0, usage.Available["cpu"]);
        Assert.Equal(16_000_000, usage.Available["memory"]);
        Assert.Equal(2, usage.Holders);
    }

    [Fact]
    public void Refuses_a_second_allocation_for_the_same_holder()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("a", Capacity);
        tracker.SetNode("b", Capacity);
        Assert.True(tracker.TryAllocate("a", ResourceList.Of(("cpu", "1")), "f"));
        Assert.False(tracker.TryAllocate("b", ResourceList.Of(("cpu", "1")), "f"));
        Assert.False(tracker.Adopt("b", ResourceList.Of(("cpu", "1")), "f"));
        Assert.Equal("a", tracker.NodeOf("f"));
        Assert.True(tracker.GetNode("b")!.Allocated.IsZero);
    }

    [Fact]
    public void Release_returns_capacity_and_unknown_release_is_a_no_op()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("n", Capacity);
        Assert.False(tracker.Release("nobody"));
        Assert.True(tracker.TryAllocate("n", ResourceList.Of(("cpu", "8")), "f"));
        Assert.True(tracker.Release("f"));
        Assert.False(tracker.Release("f"));
        Assert.Null(tracker.NodeOf("f"));
        Assert.Equal(Capacity, tracker.Available("n"));
        Assert.True(tracker.TryAllocate("n", ResourceList.Of(("cpu", "8")), "f"));
    }

    [Fact]
    public void Unknown_node_is_never_available()
    {
        var tracker = new SimpleResourceTracker();
        Assert.False(tracker.TryAllocate("x", ResourceList.Empty, "f"));
        Assert.Null(tracker.Available("x"));
        Assert.Null(tracker.GetNode("x"));
        Assert.Empty(tracker.RemoveNode("x"));
    }

    [Fact]
    public void Lowering_capacity_below_allocation_makes_available_negative_until_released()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("n", ResourceList.Of(("cpu", "8")));
        Assert.True(tracker.TryAllocate("n", ResourceList.Of(("cpu", "6")), "f1"));
        tracker.SetNode("n", ResourceList.Of(("cpu", "4")));
        Assert.Equal(-2000, tracker.Available("n")!["cpu"]);
        Assert.False(tracker.TryAllocate("n", ResourceList.Of(("cpu", "1m")), "f2"));
        Assert.True(tracker.TryAllocate("n", ResourceList.Empty, "f3"));
        Assert.True(tracker.Release("f1"));
        Assert.Equal(4000, tracker.Available("n")!["cpu"]);
        Assert.True(tracker.TryAllocate("n", ResourceList.Of(("cpu", "4")), "f2"));
    }

    [Fact]
    public void Adopt_records_existing_allocations_without_a_capacity_check()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("n", ResourceList.Of(("cpu", "2")));
        Assert.True(tracker.Adopt("n", ResourceList.Of(("cpu", "3")), "running"));
        Assert.False(tracker.Adopt("missing", ResourceList.Empty, "other"));
        Assert.Equal(-1000, tracker.Available("n")!["cpu"]);
        Assert.Equal([new TrackedAllocation("running", "n", ResourceList.Of(("cpu", "3")))], tracker.Allocations());
    }

    [Fact]
    public void RemoveNode_drops_its_allocations_and_returns_the_holders()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("n", Capacity);
        tracker.SetNode("m", Capacity);
        Assert.True(tracker.TryAllocate("n", ResourceList.Of(("cpu", "1")), "f2"));
        Assert.True(tracker.TryAllocate("n", ResourceList.Of(("cpu", "1")), "f1"));
        Assert.True(tracker.TryAllocate("m", ResourceList.Of(("cpu", "1")), "g"));
        Assert.Equal(["f1", "f2"], tracker.RemoveNode("n"));
        Assert.Null(tracker.NodeOf("f1"));
        Assert.False(tracker.Release("f1"));
        Assert.Equal(["m"], tracker.Nodes);
        Assert.Single(tracker.Snapshot());
        Assert.Equal("m", tracker.NodeOf("g"));
    }

    [Fact]
    public void Snapshot_lists_nodes_in_name_order()
    {
        var tracker = new SimpleResourceTracker();
        tracker.SetNode("b", Capacity);
        tracker.SetNode("a", Capacity);
        tracker.SetNode("B", Capacity);
        Assert.Equal(["B", "a", "b"], tracker.Snapshot().Select(u => u.Node));
        Assert.True(tracker.TryGetCapacity("a", out var cap, out var avail));
        Assert.Equal(Capacity, cap);
        Assert.Equal(Capacity, avail);
    }
}
