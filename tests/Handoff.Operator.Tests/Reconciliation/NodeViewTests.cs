using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 2: HandoffNodes and Kubernetes Nodes → what may be scheduled on.</summary>
public sealed class NodeViewTests
{
    private static NodeView Build(SnapshotBuilder snapshot) => NodeView.Build(snapshot.Build(), new TermState(AllocationStrategy.FirstAvailable).ParseNode);

    private static HandoffNodeBuilder Hn(string name) => TestObjects.HandoffNode(name).Capacity("cpu", "4");

    [Fact]
    public void A_HandoffNode_whose_Node_is_Ready_is_Ready_and_schedulable()
    {
        var view = Build(new SnapshotBuilder().HandoffNode(Hn("a").Label("zone", "x")));

        var a = Assert.Single(view.States);
        Assert.Equal((true, Reasons.NodeReady, "Kubernetes node a is Ready"), (a.Ready, a.ReadyReason, a.ReadyMessage));
        var info = Assert.IsType<NodeInfo>(a.Info);
        Assert.Equal((true, false, ResourceList.Of(("cpu", "4"))), (info.Ready, info.Unschedulable, info.Capacity));
        Assert.Equal("x", info.Labels["zone"]);
        Assert.Same(info, view.Nodes.Find("a"));
        Assert.Equal("a", view.HandoffNodeOf("a"));
        Assert.Same(a, view.Find("a"));
    }

    [Fact]
    public void A_Ready_message_its_status_shows_already_is_kept_as_that_string()
    {
        var snapshot = new SnapshotBuilder().HandoffNode(Hn("a")).HandoffNode(Hn("b")).Build();
        var shown = new string("Kubernetes node a is Ready");
        snapshot.HandoffNodes[0].Status = new HandoffNodeStatus { Conditions = [new HandoffCondition { Type = "Ready", Status = "True", Message = shown }] };
        snapshot.HandoffNodes[1].Status = new HandoffNodeStatus { Conditions = [new HandoffCondition { Type = "Ready", Status = "False", Message = "old" }] };

        var view = NodeView.Build(snapshot, new TermState(AllocationStrategy.FirstAvailable).ParseNode);

        Assert.Same(shown, view.Find("a")!.ReadyMessage);
        Assert.Equal("Kubernetes node b is Ready", view.Find("b")!.ReadyMessage);
    }

    [Fact]
    public void The_Kubernetes_Node_is_spec_nodeName()
    {
        var view = Build(new SnapshotBuilder().HandoffNode(Hn("gpu").NodeName("worker-7")));

        Assert.Equal("worker-7", view.Find("gpu")!.KubernetesNode);
        Assert.Equal("gpu", view.HandoffNodeOf("worker-7"));
        Assert.Null(view.HandoffNodeOf("gpu"));
        Assert.True(view.Find("gpu")!.Ready);
    }

    [Fact]
    public void A_missing_Node_makes_it_NotReady_with_NodeNotFound_but_it_stays_tracked()
    {
        var view = Build(new SnapshotBuilder().HandoffNodeOnly(Hn("a")));

        var a = view.Find("a")!;
        Assert.Equal((false, Reasons.NodeNotFound, "Kubernetes node a does not exist"), (a.Ready, a.ReadyReason, a.ReadyMessage));
        // Its pods may still hold capacity there: it is known to the tracker, just not eligible.
        Assert.False(Assert.IsType<NodeInfo>(a.Info).Ready);
    }

    [Theory]
    [InlineData("False", "kubelet stopped posting node status", "Kubernetes node a is not Ready: kubelet stopped posting node status")]
    [InlineData("Unknown", null, "Kubernetes node a is not Ready")]
    [InlineData(null, null, "Kubernetes node a is not Ready")]
    public void A_Node_that_is_not_Ready_makes_it_NotReady(string? status, string? message, string expected)
    {
        var node = TestObjects.Node("a");
        node = status switch
        {
            "False" => node.NotReady(message),
            "Unknown" => node.ReadyUnknown(message),
            _ => node.WithoutReadyCondition(),
        };

        var a = Build(new SnapshotBuilder().HandoffNode(Hn("a"), node)).Find("a")!;

        Assert.Equal((false, Reasons.NodeNotReady, expected), (a.Ready, a.ReadyReason, a.ReadyMessage));
        Assert.False(a.Info!.Ready);
    }

    [Fact]
    public void A_HandoffNode_cordoned_by_its_spec_is_unschedulable_and_still_Ready()
    {
        var a = Build(new SnapshotBuilder().HandoffNode(Hn("a").Cordoned())).Find("a")!;

        Assert.True(a.Ready);
        Assert.True(a.Info!.Unschedulable);
    }

    [Fact]
    public void A_cordoned_Node_makes_its_HandoffNode_unschedulable_and_uncordoning_undoes_it()
    {
        var term = new TermState(AllocationStrategy.FirstAvailable);
        var cordoned = NodeView.Build(new SnapshotBuilder().HandoffNode(Hn("a"), TestObjects.Node("a").Cordoned()).Build(), term.ParseNode);
        var uncordoned = NodeView.Build(new SnapshotBuilder().HandoffNode(Hn("a")).Build(), term.ParseNode);

        Assert.True(cordoned.Find("a")!.Info!.Unschedulable);
        Assert.True(cordoned.Find("a")!.Ready);
        Assert.False(uncordoned.Find("a")!.Info!.Unschedulable);
    }

    [Fact]
    public void Readiness_changes_reach_the_node_info_of_a_term_that_parsed_it_before()
    {
        var term = new TermState(AllocationStrategy.FirstAvailable);
        var ready = NodeView.Build(new SnapshotBuilder().HandoffNode(Hn("a")).Build(), term.ParseNode);
        var notReady = NodeView.Build(new SnapshotBuilder().HandoffNode(Hn("a"), TestObjects.Node("a").NotReady()).Build(), term.ParseNode);

        Assert.True(ready.Find("a")!.Info!.Ready);
        Assert.False(notReady.Find("a")!.Info!.Ready);
    }

    [Theory]
    [InlineData(null, null, "spec.capacity")]
    [InlineData("cpu", "lots", "spec.capacity[cpu]")]
    public void An_invalid_spec_leaves_it_out_of_scheduling_with_InvalidSpec(string? resource, string? quantity, string field)
    {
        var hn = TestObjects.HandoffNode("a");
        if (resource is not null)
        {
            hn.Capacity(resource, quantity!);
        }

        var view = Build(new SnapshotBuilder().HandoffNode(hn));

        var a = view.Find("a")!;
        Assert.Null(a.Info);
        Assert.False(a.Ready);
        Assert.Equal(Reasons.InvalidSpec, a.ReadyReason);
        Assert.Contains(field, a.ReadyMessage, StringComparison.Ordinal);
        Assert.Null(view.Nodes.Find("a"));
        Assert.Null(view.HandoffNodeOf("a"));
    }

    [Fact]
    public void Two_HandoffNodes_of_one_Node_the_oldest_is_used_and_the_other_is_a_DuplicateNode()
    {
        var view = Build(new SnapshotBuilder()
            .HandoffNode(Hn("a").NodeName("w").CreatedAt(TestObjects.Epoch.AddMinutes(5)))
            .HandoffNode(Hn("b").NodeName("w").CreatedAt(TestObjects.Epoch)));

        Assert.Equal("b", view.HandoffNodeOf("w"));
        Assert.NotNull(view.Find("b")!.Info);
        var a = view.Find("a")!;
        Assert.Null(a.Info);
        Assert.Equal((false, Reasons.DuplicateNode), (a.Ready, a.ReadyReason));
        Assert.Equal("Kubernetes node w is already claimed by HandoffNode b (the older one); this one is not used", a.ReadyMessage);
        Assert.Equal(["b"], view.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Two_HandoffNodes_of_one_Node_created_together_the_first_by_name_is_used()
    {
        var view = Build(new SnapshotBuilder().HandoffNode(Hn("b").NodeName("w")).HandoffNode(Hn("a").NodeName("w")));

        Assert.Equal("a", view.HandoffNodeOf("w"));
        Assert.Equal(Reasons.DuplicateNode, view.Find("b")!.ReadyReason);
    }

    [Fact]
    public void A_HandoffNode_named_like_another_ones_Node_is_no_duplicate()
    {
        // "a" binds to Node "b"; "b" binds to Node "x": two Nodes, no conflict.
        var view = Build(new SnapshotBuilder().HandoffNode(Hn("a").NodeName("b")).HandoffNode(Hn("b").NodeName("x")));

        Assert.All(view.States, s => Assert.NotNull(s.Info));
        Assert.Equal(("a", "b"), (view.HandoffNodeOf("b"), view.HandoffNodeOf("x")));
    }
}
