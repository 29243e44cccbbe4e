using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 3 (first half): pods → each function's attempts and the live pods that hold capacity.</summary>
public sealed class PodViewTests
{
    private static readonly HandoffFunction F = TestObjects.Function("f").Build();

    private static PodView Build(SnapshotBuilder snapshot)
    {
        var built = snapshot.Build();
        return PodView.Build(built, NodeView.Build(built, new TermState(AllocationStrategy.FirstAvailable).ParseNode));
    }

    private static SnapshotBuilder TwoNodes() => new SnapshotBuilder()
        .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
        .HandoffNode(TestObjects.HandoffNode("b").Capacity("cpu", "4").NodeName("worker-b"));

    [Fact]
    public void A_functions_pods_are_found_by_its_UID_not_its_name()
    {
        var recreated = TestObjects.Function("f").Uid("uid-new").Build();
        var view = Build(TwoNodes().Function(recreated)
            .Pod(TestObjects.PodOf(recreated).OwnedBy("uid-old").PlacedOn("a").Running())
            .Pod(TestObjects.PodOf(recreated, 2).PlacedOn("a")));

        Assert.Equal(["f-2"], view.Of("uid-new").Select(p => p.Attempt.Name));
        Assert.Equal(["f-1"], view.Of("uid-old").Select(p => p.Attempt.Name));
        Assert.Empty(view.Of("uid-other"));
        Assert.Empty(view.Of(null));
        // Both hold capacity: the old function's pod runs on.
        Assert.Equal(["default/f-1", "default/f-2"], view.Live.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_orphaned_pod_belongs_to_no_function_and_still_holds_capacity()
    {
        var view = Build(TwoNodes().Pod(TestObjects.PodOf(F).Orphan().PlacedOn("a").Running()));

        var pod = Assert.Single(view.Live);
        Assert.Null(pod.OwnerUid);
        Assert.Empty(view.ByFunctionUid);
    }

    [Fact]
    public void A_terminating_pod_is_live_until_it_ends_and_ended_pods_are_not()
    {
        var view = Build(TwoNodes()
            .Pod(TestObjects.PodOf(F).PlacedOn("a").Running().Terminating())
            .Pod(TestObjects.PodOf(F, 2).PlacedOn("a").Failed())
            .Pod(TestObjects.PodOf(F, 3).PlacedOn("a").Succeeded("42"))
            .Pod(TestObjects.PodOf(F, 4).PlacedOn("a").RejectedByKubelet("OutOfcpu")));

        Assert.Equal(["f-1"], view.Live.Select(p => p.Attempt.Name));
        Assert.True(view.Live[0].Attempt.Terminating);
        Assert.Equal(4, view.Of(F.Metadata.Uid).Count);
    }

    [Fact]
    public void An_unbound_pod_is_live_on_its_annotated_HandoffNode()
    {
        var pod = Assert.Single(Build(TwoNodes().Pod(TestObjects.PodOf(F).OnHandoffNode("b"))).Live);

        Assert.Equal("b", pod.HandoffNode);
        Assert.False(pod.Attempt.Bound);
    }

    [Fact]
    public void The_HandoffNode_comes_from_the_annotation_else_from_the_Node_it_is_bound_to()
    {
        var view = Build(TwoNodes()
            .Pod(TestObjects.PodOf(F).OnHandoffNode("b").BoundTo("worker-b"))
            .Pod(TestObjects.PodOf(F, 2).Named("no-annotation").BoundTo("worker-b"))
            .Pod(TestObjects.PodOf(F, 3).Named("unknown-annotation").OnHandoffNode("gone").BoundTo("a"))
            .Pod(TestObjects.PodOf(F, 4).Named("nowhere").OnHandoffNode("gone").BoundTo("worker-z")));

        var byName = view.Of(F.Metadata.Uid).ToDictionary(p => p.Attempt.Name, p => p.HandoffNode);
        Assert.Equal("b", byName["f-1"]);
        Assert.Equal("b", byName["no-annotation"]);
        Assert.Equal("a", byName["unknown-annotation"]);
        Assert.Null(byName["nowhere"]);
        Assert.DoesNotContain(view.Live, p => p.Attempt.Name == "nowhere");
    }

    [Fact]
    public void An_annotation_naming_a_HandoffNode_not_in_use_falls_back_to_the_Node_the_pod_is_bound_to()
    {
        // "dup" claims the same Node as "a" but is younger: not in use. Its pods count on "a".
        var view = Build(new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .HandoffNode(TestObjects.HandoffNode("dup").Capacity("cpu", "4").NodeName("a").CreatedAt(TestObjects.Epoch.AddDays(1)))
            .Pod(TestObjects.PodOf(F).OnHandoffNode("dup").BoundTo("a").Running()));

        Assert.Equal("a", Assert.Single(view.Live).HandoffNode);
    }

    [Fact]
    public void The_cost_is_read_from_the_pods_annotation_and_unknown_when_missing_or_unreadable()
    {
        var view = Build(TwoNodes()
            .Pod(TestObjects.PodOf(F).PlacedOn("a").Cost("cpu", "2").Cost("memory", "1Gi"))
            .Pod(TestObjects.PodOf(F, 2).PlacedOn("a"))
            .Pod(TestObjects.PodOf(F, 3).PlacedOn("a").Annotation(HandoffApi.CostAnnotation, "{\"cpu\":\"a lot\"}"))
            .Pod(TestObjects.PodOf(F, 4).PlacedOn("a").Annotation(HandoffApi.CostAnnotation, "not json")));

        var costs = view.Of(F.Metadata.Uid).ToDictionary(p => p.Attempt.Name, p => p.Cost);
        Assert.Equal(ResourceList.Of(("cpu", "2"), ("memory", "1Gi")), costs["f-1"]);
        Assert.Null(costs["f-2"]);
        Assert.Null(costs["f-3"]);
        Assert.Null(costs["f-4"]);
    }

    [Fact]
    public void Pods_without_the_function_label_are_not_function_pods_but_their_names_are_taken()
    {
        // The first still says Handoff placed it (schedulerName and node annotation): it holds capacity as a plain pod.
        var view = Build(TwoNodes()
            .Pod(TestObjects.PodOf(F).WithoutLabel(HandoffApi.FunctionLabel).PlacedOn("a").Running())
            .Pod(TestObjects.PodOf(TestObjects.Function("g", "other").Build()).PlacedOn("a")));

        Assert.Equal(["default/f-1", "other/g-1"], view.Live.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Empty(view.Of(F.Metadata.Uid));
        Assert.True(view.NameTaken("default/f-1"));
        Assert.True(view.NameTaken("other/g-1"));
        Assert.False(view.NameTaken("default/g-1"));
    }

    [Fact]
    public void A_pod_is_read_as_its_attempt()
    {
        var pod = Assert.Single(Build(TwoNodes()
            .Pod(TestObjects.PodOf(F, 3).PlacedOn("a").CreatedAt(TestObjects.Epoch.AddMinutes(2)).Failed(2, "boom", TestObjects.Epoch.AddMinutes(3)))).Of(F.Metadata.Uid));

        Assert.Equal(
            ("f-3", 3, "a", true, Core.Lifecycle.PodPhase.Failed, "exit code 2, Error", TestObjects.Epoch.AddMinutes(2), TestObjects.Epoch.AddMinutes(3)),
            (pod.Attempt.Name, pod.Attempt.Attempt, pod.Attempt.Node, pod.Attempt.Bound, pod.Attempt.Phase, pod.Attempt.Message, pod.Attempt.Created, pod.Attempt.FinishedAt));
        Assert.Equal("boom", pod.Attempt.Result);
        Assert.Equal(F.Metadata.Uid, pod.OwnerUid);
        Assert.False(pod.Live);
    }
}
