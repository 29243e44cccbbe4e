using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Operator.Controllers;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// What a term keeps of each pod from pass to pass (<see cref="PodMemos"/>): its observation, used again while the same
/// record is seen and the HandoffNodes resolve the same way; which pod names the pass saw; and that a view built with
/// it is the view built without.
/// </summary>
public sealed class PodMemoTests
{
    private static readonly HandoffFunction F = TestObjects.Function("f").Uid("uid-f").Build();

    private readonly PodMemos _memos = new();

    private static SnapshotBuilder TwoNodes() => new SnapshotBuilder()
        .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
        .HandoffNode(TestObjects.HandoffNode("b").Capacity("cpu", "4").NodeName("worker-b"));

    private PodView Pass(ClusterSnapshot snapshot) =>
        PodView.Build(snapshot, NodeView.Build(snapshot, new TermState(AllocationStrategy.FirstAvailable).ParseNode), memos: _memos);

    private static PodView Fresh(ClusterSnapshot snapshot) =>
        PodView.Build(snapshot, NodeView.Build(snapshot, new TermState(AllocationStrategy.FirstAvailable).ParseNode));

    [Fact]
    public void The_same_records_later_give_the_same_observations()
    {
        var snapshot = TwoNodes().Function(F).Pod(TestObjects.PodOf(F).Cost("cpu", "1").PlacedOn("a").Running()).Build();
        var first = Assert.Single(Pass(snapshot).Live);

        var again = Pass(snapshot with { Now = snapshot.Now.AddHours(1) });

        Assert.Same(first, Assert.Single(again.Live));
        Assert.Same(first, Assert.Single(again.Of(F.Metadata.Uid)));
        Assert.Equal(new Core.Tracking.LivePlacement("default/f-1", "a", ResourceList.Of(("cpu", "1")), true, first.Attempt.Created), first.Placement);
    }

    [Fact]
    public void A_new_record_of_a_pod_is_observed_again()
    {
        var snapshot = TwoNodes().Function(F).Pod(TestObjects.PodOf(F).Cost("cpu", "1").PlacedOn("a").Running()).Build();
        var first = Assert.Single(Pass(snapshot).Live);

        var finished = Pass(snapshot with { Pods = [CacheTransforms.Pod(TestObjects.PodOf(F).Cost("cpu", "1").PlacedOn("a").Succeeded("42").Build())] });

        Assert.Empty(finished.Live);
        var observed = Assert.Single(finished.Of(F.Metadata.Uid));
        Assert.NotSame(first, observed);
        Assert.Null(observed.Placement);
    }

    [Fact]
    public void Pods_are_observed_again_when_the_HandoffNodes_resolve_differently()
    {
        // Bound to worker-b without an annotation: it holds capacity on whichever HandoffNode claims worker-b.
        var pod = CacheTransforms.Pod(TestObjects.PodOf(F).Cost("cpu", "1").BoundTo("worker-b").Running().Build());
        var first = Pass(TwoNodes().Function(F).Build() with { Pods = [pod] });
        Assert.Equal("b", Assert.Single(first.Live).HandoffNode);

        var otherClaimant = new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .HandoffNode(TestObjects.HandoffNode("c").Capacity("cpu", "4").NodeName("worker-b"))
            .Function(F).Build();
        var reclaimed = Pass(otherClaimant with { Pods = [pod] });
        Assert.Equal("c", Assert.Single(reclaimed.Live).HandoffNode);
        Assert.Equal("c", reclaimed.Live[0].Placement!.Node);

        // No HandoffNode claims it any more: it holds nothing, and counts on no node.
        var unclaimed = Pass(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4")).Function(F).Build() with { Pods = [pod] });
        Assert.Empty(unclaimed.Live);
        Assert.Null(Assert.Single(unclaimed.Of(F.Metadata.Uid)).HandoffNode);
    }

    [Fact]
    public void A_node_that_starts_counting_pods_changes_what_its_pods_hold()
    {
        // "a" takes its capacity from its Node in the second pass: its pods hold one pods more.
        var pod = CacheTransforms.Pod(TestObjects.PodOf(F).Cost("cpu", "1").PlacedOn("a").Running().Build());
        var declared = new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4")).Function(F).Build() with { Pods = [pod] };
        var fromNode = new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").CapacityFromNode().Generation(2)).Function(F).Build() with { Pods = [pod] };

        var before = Assert.Single(Pass(declared).Live).Placement!;
        var after = Assert.Single(Pass(fromNode).Live).Placement!;

        Assert.Equal(Assert.Single(Fresh(declared).Live).Placement, before);
        Assert.Equal(Assert.Single(Fresh(fromNode).Live).Placement, after);
        Assert.NotEqual(before.Cost, after.Cost);
    }

    [Fact]
    public void Names_are_taken_by_the_pods_of_this_pass_only()
    {
        var snapshot = TwoNodes().Function(F).Pod(TestObjects.PodOf(F).PlacedOn("a").Running()).Pod(TestObjects.PodOf(F, 2).PlacedOn("a").Failed()).Build();
        var first = Pass(snapshot);
        Assert.True(first.NameTaken("default/f-1"));
        Assert.True(first.NameTaken("default/f-2"));

        var later = Pass(snapshot with { Pods = [snapshot.Pods[0]] });

        Assert.True(later.NameTaken(snapshot.Pods[0].Key));
        Assert.False(later.NameTaken(snapshot.Pods[1].Key));
        Assert.False(later.NameTaken("default/f-3"));
    }

    [Fact]
    public void Pods_gone_are_swept_and_the_idle_trim_drops_every_observation()
    {
        var many = TwoNodes().Function(F);
        for (var i = 1; i <= 1_100; i++)
        {
            many.Pod(TestObjects.PodOf(F, i).PlacedOn("a").Succeeded("ok"));
        }

        var snapshot = many.Build();
        Pass(snapshot);
        Assert.Equal(1_100, _memos.Count);

        Pass(snapshot with { Pods = [snapshot.Pods[0]] });
        Assert.Equal(1, _memos.Count);

        _memos.Forget();
        Assert.Equal(0, _memos.Count);
    }

    [Fact]
    public void A_view_built_with_the_memos_is_the_view_built_without()
    {
        var snapshots = new[]
        {
            TwoNodes().Function(F).Pod(TestObjects.PodOf(F).Cost("cpu", "1").PlacedOn("a").Running()).Build(),
            TwoNodes().Function(F).Pod(TestObjects.PodOf(F).Cost("cpu", "1").PlacedOn("a").Running())
                .Pod(TestObjects.PodOf(F, 2).Cost("cpu", "2").OnHandoffNode("b")).Pod(TestObjects.PodOf(F, 3).OnHandoffNode("gone")).Build(),
            new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("b").Capacity("cpu", "4").NodeName("worker-b")).Function(F)
                .Pod(TestObjects.PodOf(F, 2).Cost("cpu", "2").OnHandoffNode("b").BoundTo("worker-b")).Build(),
        };

        foreach (var snapshot in snapshots.Concat(snapshots))
        {
            var (kept, fresh) = (Pass(snapshot), Fresh(snapshot));
            Assert.Equal(fresh.Live, kept.Live);
            Assert.Equal(fresh.Stranded, kept.Stranded);
            Assert.Equal(fresh.ByFunctionUid.Keys.Order(StringComparer.Ordinal), kept.ByFunctionUid.Keys.Order(StringComparer.Ordinal));
            foreach (var (uid, pods) in fresh.ByFunctionUid)
            {
                Assert.Equal(pods, kept.Of(uid));
            }
        }
    }
}
