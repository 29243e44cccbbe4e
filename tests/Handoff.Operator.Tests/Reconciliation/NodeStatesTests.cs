using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// What a term keeps of each HandoffNode from pass to pass (<see cref="NodeStates"/>): its state, used again while the
/// same HandoffNode object and Node object are seen, and never for a HandoffNode that lost its Node to an older one.
/// </summary>
public sealed class NodeStatesTests
{
    private readonly TermState _term = new(AllocationStrategy.FirstAvailable);

    private static HandoffNodeBuilder Hn(string name) => TestObjects.HandoffNode(name).Capacity("cpu", "4");

    private NodeView Pass(ClusterSnapshot snapshot) => NodeView.Build(snapshot, _term.ParseNode, _term.NodeStates);

    [Fact]
    public void The_same_objects_later_give_the_same_state()
    {
        var snapshot = new SnapshotBuilder().HandoffNode(Hn("a")).Build();
        var first = Assert.Single(Pass(snapshot).States);

        var again = Pass(snapshot with { Now = snapshot.Now.AddHours(1) });

        Assert.Same(first, Assert.Single(again.States));
        Assert.Same(first, again.Find("a"));
        Assert.Same(first.Info, again.Nodes.Find("a"));
    }

    [Fact]
    public void A_new_HandoffNode_or_Node_object_makes_the_state_again()
    {
        var snapshot = new SnapshotBuilder().HandoffNode(Hn("a")).Build();
        var first = Assert.Single(Pass(snapshot).States);

        // Its own status write came back: a new object, an equal state.
        var rewritten = Assert.Single(Pass(new SnapshotBuilder().HandoffNode(Hn("a")).Build() with { Nodes = snapshot.Nodes }).States);
        Assert.NotSame(first, rewritten);
        Assert.Equal((first.Ready, first.ReadyReason, first.Info!.Capacity), (rewritten.Ready, rewritten.ReadyReason, rewritten.Info!.Capacity));

        // Its Node went NotReady: a new Node object, a new state.
        var notReady = Assert.Single(Pass(snapshot with { Nodes = new SnapshotBuilder().HandoffNode(Hn("a"), TestObjects.Node("a").NotReady()).Build().Nodes }).States);
        Assert.False(notReady.Ready);
        Assert.Equal(Reasons.NodeNotReady, notReady.ReadyReason);
    }

    [Fact]
    public void A_HandoffNode_that_loses_its_Node_to_an_older_one_is_a_duplicate_though_its_objects_are_the_same()
    {
        var young = new SnapshotBuilder().HandoffNode(Hn("b").NodeName("worker").CreatedAt(TestObjects.Epoch.AddDays(1))).Build();
        var alone = Assert.Single(Pass(young).States);
        Assert.NotNull(alone.Info);

        var older = new SnapshotBuilder().HandoffNode(Hn("a").NodeName("worker")).Build();
        var both = Pass(young with { HandoffNodes = [older.HandoffNodes[0], young.HandoffNodes[0]] });

        Assert.NotNull(both.Find("a")!.Info);
        var b = both.Find("b")!;
        Assert.Null(b.Info);
        Assert.Equal(Reasons.DuplicateNode, b.ReadyReason);
        Assert.Equal("a", both.HandoffNodeOf("worker"));

        // The older one goes: the same object of b claims the Node again, and is usable.
        Assert.NotNull(Assert.Single(Pass(young).States).Info);
    }

    [Fact]
    public void The_states_of_HandoffNodes_gone_are_swept_and_the_idle_trim_drops_them_all()
    {
        var snapshot = new SnapshotBuilder().HandoffNode(Hn("a")).HandoffNode(Hn("b")).Build();
        Pass(snapshot);
        Assert.Equal(2, _term.NodeStates.Count);

        _term.Forget(SeenKeys.Of([]), SeenKeys.Of([]), SeenKeys.Of(["a"]), SeenKeys.Of([]));
        Assert.Equal(1, _term.NodeStates.Count);
        Assert.NotNull(_term.NodeStates.Find(snapshot.HandoffNodes[0], snapshot.Nodes["a"]));

        _term.ForgetDerived();
        Assert.Equal(0, _term.NodeStates.Count);
    }

    [Fact]
    public void A_view_made_from_the_last_one_is_the_view_made_afresh()
    {
        // Two HandoffNodes claim worker-1 (b is younger: a duplicate), c has an invalid spec, d is plain.
        SnapshotBuilder Cluster(string dCpu = "4", string bNode = "worker-1") => new SnapshotBuilder()
            .HandoffNode(Hn("a").NodeName("worker-1").Label("zone", "z1"))
            .HandoffNode(Hn("b").NodeName(bNode).CreatedAt(TestObjects.Epoch.AddDays(1)))
            .HandoffNode(TestObjects.HandoffNode("c").Capacity("cpu", "lots"))
            .HandoffNode(Hn("d").Capacity("cpu", dCpu).Generation(dCpu == "4" ? 1 : 2)); // a spec change is a new generation
        var first = Cluster().Build();
        var firstView = Pass(first);

        // Every HandoffNode written back (new objects, equal): the last view's usable nodes and indexes, states made again.
        var written = first with { HandoffNodes = Cluster().Build().HandoffNodes };
        var updated = Pass(written);
        AssertSameView(Fresh(written), updated);
        Assert.NotSame(firstView, updated);
        Assert.True(updated.ResolvesAs(firstView));

        // A new capacity (a new generation): new usable nodes. A claim changed (b moves to its own Node): made afresh.
        foreach (var next in new[] { written with { HandoffNodes = Cluster(dCpu: "8").Build().HandoffNodes }, written with { HandoffNodes = Cluster(bNode: "worker-2").Build().HandoffNodes } })
        {
            var before = _term.NodeStates.Last!.View;
            var view = Pass(next);
            AssertSameView(Fresh(next), view);
            Assert.False(view.ResolvesAs(before));
        }
    }

    [Fact]
    public void The_same_listings_give_the_same_view_and_the_same_tracked_nodes()
    {
        var snapshot = new SnapshotBuilder().HandoffNode(Hn("a")).HandoffNode(Hn("b")).Build();
        var first = Pass(snapshot);
        _term.SyncNodes(first);

        var again = Pass(snapshot with { Now = snapshot.Now.AddSeconds(1) });
        _term.SyncNodes(again);

        Assert.Same(first, again);
        Assert.Equal(["a", "b"], _term.Tracker.Nodes);
    }

    [Fact]
    public void Nodes_reported_again_with_the_same_facts_keep_the_states_and_the_usable_nodes()
    {
        SnapshotBuilder Cluster(bool cordonA = false) => new SnapshotBuilder()
            .HandoffNode(Hn("a"), cordonA ? TestObjects.Node("a").Cordoned() : TestObjects.Node("a"))
            .HandoffNode(Hn("b"));
        var snapshot = Cluster().Build();
        var first = Pass(snapshot);

        // Every Node posted its status again (new objects, the same facts, as a kubelet's periodic report): nothing is
        // made again.
        var reported = Pass(snapshot with { Nodes = Cluster().Build().Nodes });
        Assert.True(reported.ResolvesAs(first));
        Assert.All(first.States.Zip(reported.States), pair => Assert.Same(pair.First, pair.Second));

        // One Node cordoned: its state and the usable nodes are made again, the other's state is kept.
        var cordonedNodes = snapshot with { Nodes = Cluster(cordonA: true).Build().Nodes };
        var cordoned = Pass(cordonedNodes);
        Assert.False(cordoned.ResolvesAs(reported));
        Assert.True(cordoned.Find("a")!.Info!.Unschedulable);
        Assert.Same(reported.Find("b"), cordoned.Find("b"));
        AssertSameView(Fresh(cordonedNodes), cordoned);
    }

    [Fact]
    public void Only_the_Nodes_the_cache_says_changed_are_looked_at_and_only_when_it_says_so_since_the_last_view()
    {
        SnapshotBuilder Cluster(bool cordonA = false, bool cordonB = false) => new SnapshotBuilder()
            .HandoffNode(Hn("a"), cordonA ? TestObjects.Node("a").Cordoned() : TestObjects.Node("a"))
            .HandoffNode(Hn("b"), cordonB ? TestObjects.Node("b").Cordoned() : TestObjects.Node("b"));
        var snapshot = Cluster().Build();
        var first = Pass(snapshot);

        // a cordoned, b reported again: the cache names both, and the view is the one made afresh.
        var both = snapshot with { Nodes = Cluster(cordonA: true).Build().Nodes, NodeChanges = (snapshot.Nodes, new HashSet<string> { "a", "b" }) };
        var view = Pass(both);
        AssertSameView(Fresh(both), view);
        Assert.Same(first.Find("b"), view.Find("b"));

        // b cordoned, but changes named since another index: not trusted, every Node is looked at.
        var unknownSince = both with { Nodes = Cluster(cordonA: true, cordonB: true).Build().Nodes, NodeChanges = (snapshot.Nodes, new HashSet<string> { "a" }) };
        var cordoned = Pass(unknownSince);
        Assert.True(cordoned.Find("b")!.Info!.Unschedulable);

        // Both Nodes replaced, the cache naming only a: b's state is the last one (its object is not looked at).
        var onlyA = unknownSince with { Nodes = Cluster(cordonB: true).Build().Nodes, NodeChanges = (unknownSince.Nodes, new HashSet<string> { "a" }) };
        var uncordonedA = Pass(onlyA);
        Assert.False(uncordonedA.Find("a")!.Info!.Unschedulable);
        Assert.Same(cordoned.Find("b"), uncordonedA.Find("b"));
        AssertSameView(Fresh(onlyA), uncordonedA);

        // The view relies on the names given: b's Node uncordoned but not named, b is looked at no more than that.
        var notNamed = onlyA with { Nodes = Cluster().Build().Nodes, NodeChanges = (onlyA.Nodes, new HashSet<string> { "a" }) };
        Assert.True(Pass(notNamed).Find("b")!.Info!.Unschedulable);
    }

    private static NodeView Fresh(ClusterSnapshot snapshot) => NodeView.Build(snapshot, new TermState(AllocationStrategy.FirstAvailable).ParseNode);

    private static void AssertSameView(NodeView expected, NodeView actual)
    {
        Assert.Equal(
            expected.States.Select(s => (s.Name, s.KubernetesNode, s.Ready, s.ReadyReason, s.ReadyMessage, s.Info?.Capacity)),
            actual.States.Select(s => (s.Name, s.KubernetesNode, s.Ready, s.ReadyReason, s.ReadyMessage, s.Info?.Capacity)));
        Assert.Equal(expected.Nodes.Select(n => (n.Name, n.Capacity)), actual.Nodes.Select(n => (n.Name, n.Capacity)));
        Assert.All(expected.States, s => Assert.Equal(s.Object.Metadata.Name, actual.Find(s.Name)!.Object.Metadata.Name));
        foreach (var node in expected.States.Select(s => s.KubernetesNode).Distinct())
        {
            Assert.Equal(expected.HandoffNodeOf(node), actual.HandoffNodeOf(node));
        }
    }
}
