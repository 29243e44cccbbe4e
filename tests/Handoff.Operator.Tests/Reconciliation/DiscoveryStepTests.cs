using Handoff.Core.Nodes;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

public sealed class DiscoveryStepTests
{
    private static readonly LabelSelector Batch = LabelSelectorParser.Parse("pool=batch");

    private static IReadOnlyList<DiscoveryAction> Plan(SnapshotBuilder snapshot) => DiscoveryStep.Plan(snapshot.Build(), Batch);

    [Fact]
    public void A_matching_Node_without_a_HandoffNode_gets_one_owned_by_it_with_its_labels()
    {
        var actions = Plan(new SnapshotBuilder().Node(TestObjects.Node("n1").Label("pool", "batch")).Node(TestObjects.Node("n2").Label("pool", "web")));

        var create = Assert.IsType<CreateDiscovered>(Assert.Single(actions));
        Assert.Equal(("n1", "n1", "Node", "batch"), (create.Node.Metadata.Name, create.Node.Spec.NodeName, create.Node.Spec.CapacityFrom, create.Node.Metadata.Labels["pool"]));
        var owner = Assert.Single(create.Node.Metadata.OwnerReferences);
        Assert.Equal(("v1", "Node", "n1", NodeBuilder.UidOf("n1")), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
    }

    [Fact]
    public void A_discovered_HandoffNode_in_step_with_its_Node_needs_nothing()
    {
        var node = TestObjects.Node("n1").Label("pool", "batch");
        Assert.Empty(Plan(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("n1").DiscoveredFrom("n1").Label("pool", "batch"), node)));
    }

    [Fact]
    public void Label_changes_are_copied_and_removed_labels_are_removed()
    {
        var node = TestObjects.Node("n1").Label("pool", "batch").Label("zone", "b");
        var stale = TestObjects.HandoffNode("n1").DiscoveredFrom("n1").Label("pool", "batch").Label("zone", "a").Label("old", "x");

        var relabel = Assert.IsType<RelabelDiscovered>(Assert.Single(Plan(new SnapshotBuilder().HandoffNode(stale, node))));
        Assert.Equal(new Dictionary<string, string?> { ["zone"] = "b", ["old"] = null }, relabel.Labels);
    }

    [Fact]
    public void A_Node_that_stops_matching_loses_its_discovered_HandoffNode()
    {
        var node = TestObjects.Node("n1").Label("pool", "web");
        var delete = Assert.IsType<DeleteDiscovered>(Assert.Single(Plan(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("n1").DiscoveredFrom("n1").Label("pool", "batch"), node))));
        Assert.Equal(("n1", "uid-node-n1"), (delete.Name, delete.Uid));
    }

    [Fact]
    public void A_hand_made_HandoffNode_of_the_Nodes_name_is_left_alone()
    {
        var node = TestObjects.Node("n1").Label("pool", "web");
        Assert.Empty(Plan(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("n1").Capacity("cpu", "2"), node)));
        Assert.Empty(Plan(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("n1").Capacity("cpu", "2"), node.Label("pool", "batch"))));
    }
}
