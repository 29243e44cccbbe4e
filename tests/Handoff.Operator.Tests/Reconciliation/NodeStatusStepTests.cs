using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Tracking.Indexing;
using Handoff.Operator.Reconciliation;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 8 for nodes: what a HandoffNode's status says of what its live pods hold.</summary>
public sealed class NodeStatusStepTests
{
    private static readonly HandoffNodeState ReadyA = new(TestObjects.HandoffNode("a").Capacity("cpu", "4").Build(), "a")
    {
        Ready = true,
        ReadyReason = Reasons.NodeReady,
        ReadyMessage = "Kubernetes node a is Ready",
    };

    private static readonly ConditionReport WithinCapacity = new("Overcommitted", false, Reasons.WithinCapacity, "what runs here fits in the capacity");

    private static IndexedResourceTracker Tracker(params (string Holder, ResourceList Cost)[] held)
    {
        var tracker = new IndexedResourceTracker();
        tracker.SetNode("a", ResourceList.Of(("cpu", "4"), ("memory", "16Gi"), ("gpu", "1")));
        foreach (var (holder, cost) in held)
        {
            tracker.Adopt("a", cost, holder);
        }

        return tracker;
    }

    [Fact]
    public void Allocated_available_and_the_number_of_holders_come_from_the_tracker()
    {
        var usage = Tracker(("ns/f-1", ResourceList.Of(("cpu", "1500m"), ("memory", "4Gi"))), ("ns/g-1", ResourceList.Of(("cpu", "1")))).GetNode("a");

        var report = NodeStatusStep.For(ReadyA, usage);

        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "2500m", ["memory"] = "4Gi" }, report.AllocatedMap);
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "1500m", ["gpu"] = "1", ["memory"] = "12Gi" }, report.AvailableMap);
        Assert.Equal(2, report.Functions);
        Assert.Equal(new ConditionReport("Ready", true, Reasons.NodeReady, "Kubernetes node a is Ready"), report.Ready);
        Assert.Equal(WithinCapacity, report.Overcommitted);
    }

    [Fact]
    public void Available_is_clamped_at_zero_and_an_over_commitment_is_a_condition_with_the_numbers()
    {
        var usage = Tracker(("ns/f-1", ResourceList.Of(("cpu", "3"))), ("ns/g-1", ResourceList.Of(("cpu", "2"), ("gpu", "2")))).GetNode("a");

        var report = NodeStatusStep.For(ReadyA, usage);

        Assert.Equal("0", report.AvailableMap["cpu"]);
        Assert.Equal("0", report.AvailableMap["gpu"]);
        Assert.Equal("5", report.AllocatedMap["cpu"]);
        Assert.Equal(
            new ConditionReport("Overcommitted", true, Reasons.Overcommitted,
                "cpu: 5 allocated, capacity 4; gpu: 2 allocated, capacity 1; running work finishes, nothing new is placed here until it fits"),
            report.Overcommitted);
    }

    [Fact]
    public void A_node_not_in_use_reports_nothing_held_and_why_it_is_not_Ready()
    {
        var duplicate = new HandoffNodeState(TestObjects.HandoffNode("b").Capacity("cpu", "1").NodeName("a").Build(), "a")
        {
            ReadyReason = Reasons.DuplicateNode,
            ReadyMessage = "taken",
        };

        var report = NodeStatusStep.For(duplicate, null);

        Assert.Empty(report.AllocatedMap);
        Assert.Empty(report.AvailableMap);
        Assert.Equal(0, report.Functions);
        Assert.Equal(new ConditionReport("Ready", false, Reasons.DuplicateNode, "taken"), report.Ready);
        Assert.Equal(WithinCapacity, report.Overcommitted);
    }

    // StatusWriter skips a node whose resourceVersion and report are those of its last check: that needs value equality.
    [Fact]
    public void Reports_of_the_same_usage_are_equal_so_nothing_is_built_or_compared_twice()
    {
        var held = ("ns/f-1", ResourceList.Of(("cpu", "1")));

        Assert.Equal(NodeStatusStep.For(ReadyA, Tracker(held).GetNode("a")), NodeStatusStep.For(ReadyA, Tracker(held).GetNode("a")));
        Assert.NotEqual(NodeStatusStep.For(ReadyA, Tracker(held).GetNode("a")), NodeStatusStep.For(ReadyA, Tracker().GetNode("a")));

        // Equality reads every amount the status is written from, not only what the maps show for this node.
        var report = NodeStatusStep.For(ReadyA, Tracker(held).GetNode("a"));
        Assert.Equal(report.GetHashCode(), NodeStatusStep.For(ReadyA, Tracker(held).GetNode("a")).GetHashCode());
        Assert.NotEqual(report, report with { TrackedCapacity = ResourceList.Of(("cpu", "8")) });
        Assert.NotEqual(report, report with { External = ResourceList.Of(("cpu", "1")) });
        Assert.NotEqual(report, report with { NodeBacked = true });
        Assert.Equal(report, report with { AvailableAmounts = ResourceList.Of(("cpu", "3"), ("gpu", "1"), ("memory", "16Gi")) });
    }
}
