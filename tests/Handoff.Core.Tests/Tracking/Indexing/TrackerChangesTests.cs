using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;

namespace Handoff.Core.Tests.Tracking.Indexing;

/// <summary>
/// What an <see cref="IndexedResourceTracker"/> tells of its own changes: the nodes whose usage or capacity changed
/// since they were last asked for, and the journal of holders (and node changes) between two syncs.
/// </summary>
public sealed class TrackerChangesTests
{
    private static ResourceList Cpu(string amount) => ResourceList.Of(("cpu", amount));

    [Fact]
    public void Changed_nodes_are_unknown_the_first_time_then_each_allocation_release_and_capacity_names_its_node()
    {
        var tracker = new IndexedResourceTracker();
        tracker.SetNode("a", Cpu("4"));
        tracker.SetNode("b", Cpu("4"));
        Assert.Null(tracker.TakeChangedNodes());
        Assert.Empty(tracker.TakeChangedNodes()!);

        Assert.True(tracker.TryAllocate("a", Cpu("1"), "ns/p"));
        Assert.False(tracker.TryAllocate("b", Cpu("8"), "ns/q")); // did not fit: nothing changed
        Assert.Equal(["a"], tracker.TakeChangedNodes()!);

        tracker.Adopt("b", Cpu("1"), "ns/r");
        tracker.Release("ns/p");
        Assert.Equal(["a", "b"], tracker.TakeChangedNodes()!.Order(StringComparer.Ordinal));

        tracker.SetNode("b", Cpu("2"));
        tracker.SetNode("c", Cpu("2"));
        tracker.RemoveNode("a");
        Assert.Equal(["a", "b", "c"], tracker.TakeChangedNodes()!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_journal_notes_holders_and_node_changes_from_its_start_until_it_is_stopped()
    {
        var tracker = new IndexedResourceTracker();
        tracker.SetNode("a", Cpu("4"));
        Assert.Null(tracker.StopJournal()); // never started

        tracker.StartJournal();
        tracker.TryAllocate("a", Cpu("1"), "ns/p");
        tracker.TryAllocateAll([new TrackedAllocation("ns/q", "a", Cpu("1")), new TrackedAllocation("ns/r", "a", Cpu("1"))]);
        tracker.Release("ns/q");
        var journal = Assert.IsType<TrackerJournal>(tracker.StopJournal());
        Assert.Equal(["ns/p", "ns/q", "ns/r"], journal.Holders.Order(StringComparer.Ordinal));
        Assert.False(journal.NodesChanged);

        tracker.Release("ns/p"); // not journaling now
        tracker.StartJournal();
        tracker.SetNode("a", Cpu("2"));
        journal = Assert.IsType<TrackerJournal>(tracker.StopJournal());
        Assert.Empty(journal.Holders);
        Assert.True(journal.NodesChanged);
    }
}
