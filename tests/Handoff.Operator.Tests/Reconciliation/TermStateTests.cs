using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

using k8s.Models;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Steps 2 and 3 in the term: the tracker kept equal to the usable HandoffNodes and to what live pods hold.</summary>
public sealed class TermStateTests
{
    private static readonly HandoffFunction F = TestObjects.Function("f").Cost("cpu", "2").Build();
    private static readonly DateTimeOffset T0 = TestObjects.Epoch;

    private readonly TermState _term = new(AllocationStrategy.FirstAvailable);

    private static SnapshotBuilder Node(string cpu = "4", string name = "a", long generation = 1) =>
        new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode(name).Capacity("cpu", cpu).Generation(generation)).Function(F);

    /// <summary>Steps 2 and 3 of a pass in <see cref="_term"/>, with <paramref name="fallback"/> as the cost of a pod that records none.</summary>
    private HoldingsSync Sync(SnapshotBuilder snapshot, Func<ObservedPod, ResourceList>? fallback = null, Func<HandoffNode, V1Node?, bool, NodeInfo>? parse = null)
    {
        var built = snapshot.Build();
        var nodes = NodeView.Build(built, parse ?? _term.ParseNode);
        _term.SyncNodes(nodes);
        return _term.SyncHoldings(PodView.Build(built, nodes), nodes, fallback ?? (_ => ResourceList.Of(("cpu", "1"))));
    }

    private IReadOnlyList<(string Holder, string Node, ResourceList Cost)> Held() =>
        [.. _term.Tracker.Allocations().Select(a => (a.Holder, a.Node, a.Cost)).OrderBy(a => a.Holder, StringComparer.Ordinal)];

    private static FunctionPodBuilder Pod(int attempt, string cpu = "2") => TestObjects.PodOf(F, attempt).Cost("cpu", cpu);

    [Fact]
    public void The_tracker_knows_the_usable_HandoffNodes_with_their_capacity()
    {
        Sync(new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .HandoffNode(TestObjects.HandoffNode("bad"))
            .HandoffNodeOnly(TestObjects.HandoffNode("missing-node").Capacity("cpu", "1")));
        Assert.Equal(["a", "missing-node"], _term.Tracker.Nodes.Order(StringComparer.Ordinal));

        Sync(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "8").Generation(2)));
        Assert.Equal(["a"], _term.Tracker.Nodes);
        Assert.Equal(ResourceList.Of(("cpu", "8")), _term.Tracker.GetNode("a")!.Capacity);
    }

    [Fact]
    public void A_pod_that_records_no_cost_holds_its_functions_current_cost_and_a_pod_of_no_known_function_nothing()
    {
        // As the pass runs it (PassDecisions): the functions are indexed by uid only for such pods.
        var orphan = TestObjects.PodOf(TestObjects.Function("gone").Uid("uid-gone").Build(), 1).PlacedOn("a").Running();
        var snapshot = Node(cpu: "8").Pod(TestObjects.PodOf(F, 1).PlacedOn("a").Running()).Pod(orphan).Build();
        var decisions = PassDecisions.Decide(snapshot, _term, HandoffApi.DefaultSchedulerName, new Core.Lifecycle.RetryPolicy(3),
            FinishedWorkDefaults.Of(new OperatorOptions()), TestContext.Current.CancellationToken);

        Assert.Empty(decisions.Holdings.ToDelete);
        Assert.Equal([("default/f-1", "a", ResourceList.Of(("cpu", "2"))), ("default/gone-1", "a", ResourceList.Empty)], Held());
    }

    [Fact]
    public void Bound_live_pods_are_adopted_even_above_capacity()
    {
        var sync = Sync(Node(cpu: "3")
            .Pod(Pod(1).PlacedOn("a").Running())
            .Pod(Pod(2).PlacedOn("a")));

        Assert.Empty(sync.ToBind);
        Assert.Empty(sync.ToDelete);
        Assert.Equal([("default/f-1", "a", ResourceList.Of(("cpu", "2"))), ("default/f-2", "a", ResourceList.Of(("cpu", "2")))], Held());
        Assert.Equal(-1000, _term.Tracker.GetNode("a")!.Available["cpu"]);
    }

    [Fact]
    public void Unbound_pods_take_their_capacity_again_in_creation_order_after_the_bound_ones_and_the_rest_are_deleted()
    {
        var sync = Sync(Node(cpu: "5")
            .Pod(Pod(3).OnHandoffNode("a").CreatedAt(T0.AddMinutes(3)))
            .Pod(Pod(2).OnHandoffNode("a").CreatedAt(T0.AddMinutes(2)))
            .Pod(Pod(1).PlacedOn("a").Running().CreatedAt(T0.AddMinutes(4))));

        Assert.Equal(["f-2"], sync.ToBind.Select(b => b.Pod.Attempt.Name));
        Assert.Equal("a", sync.ToBind[0].HandoffNode);
        Assert.Equal(["f-3"], sync.ToDelete.Select(p => p.Attempt.Name));
        Assert.Equal(["default/f-1", "default/f-2"], Held().Select(h => h.Holder));
    }

    [Fact]
    public void An_unbound_pod_held_in_the_last_pass_is_bound_again_not_deleted()
    {
        var snapshot = Node(cpu: "2").Pod(Pod(1).OnHandoffNode("a"));
        Assert.Single(Sync(snapshot).ToBind);

        var again = Sync(snapshot);

        Assert.Single(again.ToBind);
        Assert.Empty(again.ToDelete);
        Assert.Single(Held());
    }

    [Fact]
    public void An_unbound_pod_whose_HandoffNode_is_gone_is_deleted_not_left_behind()
    {
        // Created on "gone", never bound; "gone" was deleted since. Nothing can hold its capacity: it must not stay forever.
        var sync = Sync(Node().Pod(Pod(1).OnHandoffNode("gone")));

        Assert.Empty(sync.ToBind);
        Assert.Equal(["f-1"], sync.ToDelete.Select(p => p.Attempt.Name));
    }

    [Fact]
    public void An_unbound_pod_is_not_bound_above_a_capacity_cut_since_the_last_pass()
    {
        Assert.Single(Sync(Node(cpu: "4").Pod(Pod(1, cpu: "3").OnHandoffNode("a"))).ToBind);

        // The HandoffNode's capacity was cut to 2 before the binding happened: binding now would over-commit the node
        // with a pod that does not run yet.
        var sync = Sync(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "2").Generation(2)).Function(F)
            .Pod(Pod(1, cpu: "3").OnHandoffNode("a")));

        Assert.Empty(sync.ToBind);
        Assert.Equal(["f-1"], sync.ToDelete.Select(p => p.Attempt.Name));
    }

    [Fact]
    public void Holders_are_released_when_their_pods_end_or_are_gone()
    {
        Sync(Node().Pod(Pod(1).PlacedOn("a").Running()).Pod(Pod(2).PlacedOn("a")));
        Assert.Equal(2, Held().Count);

        Sync(Node().Pod(Pod(1).PlacedOn("a").Succeeded("42")));

        Assert.Empty(Held());
        Assert.Equal(0, _term.Tracker.GetNode("a")!.Allocated["cpu"]);
    }

    [Fact]
    public void A_terminating_pod_holds_until_it_ends()
    {
        Sync(Node().Pod(Pod(1).PlacedOn("a").Running().Terminating()));

        Assert.Equal(["default/f-1"], Held().Select(h => h.Holder));
    }

    [Fact]
    public void A_placed_pod_holds_the_cost_it_was_placed_with_not_its_functions_current_cost()
    {
        var edited = TestObjects.Function("f").Cost("cpu", "3").Generation(2).Build();
        var snapshot = new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4")).Function(edited)
            .Pod(TestObjects.PodOf(edited).Cost("cpu", "2").PlacedOn("a").Running());

        Sync(snapshot, _ => ResourceList.Of(("cpu", "3")));

        Assert.Equal(ResourceList.Of(("cpu", "2")), Assert.Single(Held()).Cost);
    }

    [Fact]
    public void A_pod_that_recorded_no_cost_holds_its_functions_cost()
    {
        var seen = new List<string>();
        Sync(Node().Pod(TestObjects.PodOf(F).PlacedOn("a").Running()), pod =>
        {
            seen.Add(pod.Attempt.Name);
            return ResourceList.Of(("cpu", "3"));
        });

        Assert.Equal(["f-1"], seen);
        Assert.Equal(ResourceList.Of(("cpu", "3")), Assert.Single(Held()).Cost);
    }

    [Fact]
    public void A_changed_pod_annotation_changes_what_it_holds()
    {
        Sync(Node().Pod(Pod(1, cpu: "2").PlacedOn("a").Running()));
        Sync(Node().Pod(Pod(1, cpu: "1").PlacedOn("a").Running()));

        Assert.Equal(ResourceList.Of(("cpu", "1")), Assert.Single(Held()).Cost);
    }

    [Fact]
    public void On_a_node_that_counts_pods_each_pod_also_holds_one_pods()
    {
        NodeInfo CountingPods(HandoffNode node, V1Node? kubernetesNode, bool ready) => _term.ParseNode(node, kubernetesNode, ready) with { CountsPods = true };
        var snapshot = new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4").Capacity("pods", "2")).Function(F)
            .Pod(Pod(1).PlacedOn("a").Running())
            .Pod(Pod(2, cpu: "1").OnHandoffNode("a"))
            .Pod(Pod(3, cpu: "0").OnHandoffNode("a").CreatedAt(T0.AddMinutes(1)));

        var sync = Sync(snapshot, parse: CountingPods);

        Assert.Equal([("default/f-1", "a", ResourceList.Of(("cpu", "2"), ("pods", "1"))), ("default/f-2", "a", ResourceList.Of(("cpu", "1"), ("pods", "1")))], Held());
        // Out of pods: the third cannot be taken again although it costs no cpu.
        Assert.Equal(["f-3"], sync.ToDelete.Select(p => p.Attempt.Name));
    }

    [Fact]
    public void Orphaned_pods_and_pods_of_deleted_functions_keep_holding()
    {
        Sync(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .Pod(Pod(1).Orphan().PlacedOn("a").Running())
            .Pod(Pod(2).PlacedOn("a").Running()));

        Assert.Equal(["default/f-1", "default/f-2"], Held().Select(h => h.Holder));
    }

    [Fact]
    public void A_removed_HandoffNode_drops_what_its_pods_held()
    {
        Sync(Node().Pod(Pod(1).PlacedOn("a").Running()));

        Sync(new SnapshotBuilder().Function(F).Pod(Pod(1).PlacedOn("a").Running()));

        Assert.Empty(_term.Tracker.Nodes);
        Assert.Empty(Held());
    }

    [Fact]
    public void Functions_are_mapped_again_only_when_their_generation_changes()
    {
        var first = _term.MapFunction(F);
        Assert.Same(first, _term.MapFunction(TestObjects.Function("f").Cost("cpu", "2").Build()));

        var edited = _term.MapFunction(TestObjects.Function("f").Cost("cpu", "5").Generation(2).Build());
        Assert.Equal(ResourceList.Of(("cpu", "5")), edited.Placement.Cost);

        var bad = TestObjects.Function("f").Cost("cpu", "much").Generation(3).Build();
        Assert.Throws<Api.Mapping.ManifestValidationException>(() => _term.MapFunction(bad));
        Assert.Throws<Api.Mapping.ManifestValidationException>(() => _term.MapFunction(bad));
    }

    [Fact]
    public void Forget_drops_the_memos_of_objects_that_are_gone()
    {
        _term.EventsRecorded["default/f"] = new EventReport("Normal", "Retrying", "m");
        _term.EventsRecorded["default/g"] = new EventReport("Normal", "Retrying", "m");
        _term.PodEventsRecorded["default/p"] = new EventReport("Warning", "FailedScheduling", "m");
        _term.PodEventsRecorded["default/bound"] = new EventReport("Warning", "FailedScheduling", "m");

        _term.Forget(SeenKeys.Of(["default/f"]), SeenKeys.Of([]), SeenKeys.Of([]), SeenKeys.Of(["default/p"]));

        Assert.Equal(["default/f"], _term.EventsRecorded.Keys);
        Assert.Equal(["default/p"], _term.PodEventsRecorded.Keys);
    }

    [Fact]
    public void A_nodes_report_is_made_again_only_when_what_it_is_made_of_changed()
    {
        var node = new HandoffNodeState(TestObjects.HandoffNode("a").Capacity("cpu", "4").Build(), "a") { Ready = true, ReadyReason = "NodeReady", ReadyMessage = "ready" };
        var usage = new Core.Tracking.NodeUsage("a", ResourceList.Of(("cpu", "4")), ResourceList.Of(("cpu", "1")), ResourceList.Of(("cpu", "3")), 1);
        var first = _term.NodeReport(node, usage, null);
        Assert.Equal(NodeStatusStep.For(node, usage), first);
        Assert.Same(first, _term.NodeReport(node with { }, usage with { }, null));

        var more = usage with { Allocated = ResourceList.Of(("cpu", "2")), Available = ResourceList.Of(("cpu", "2")), Holders = 2 };
        Assert.Equal(NodeStatusStep.For(node, more), _term.NodeReport(node, more, null));
        var notReady = node with { Ready = false, ReadyReason = "NodeNotReady" };
        Assert.Equal(NodeStatusStep.For(notReady, more), _term.NodeReport(notReady, more, null));
    }

    [Fact]
    public void Memos_of_every_object_are_swept_once_they_outgrow_the_objects_present()
    {
        var f = TestObjects.Function("f").Uid("uid-f").Cost("cpu", "1").Build();
        var g = TestObjects.Function("g").Uid("uid-g").Cost("cpu", "1").Build();
        _term.MapFunction(f);
        var mapped = _term.MapFunction(g);

        // Two entries, two functions present (one of them new): nothing to sweep yet; the kept entry is still the memo's.
        _term.Forget(SeenKeys.Of([]), SeenKeys.Of(["uid-g", "uid-new"]), SeenKeys.Of([]), SeenKeys.Of([]));
        Assert.Same(mapped, _term.MapFunction(g));

        // More entries than functions: the gone function's entry is dropped (it is mapped again if it came back).
        _term.Forget(SeenKeys.Of([]), SeenKeys.Of(["uid-g"]), SeenKeys.Of([]), SeenKeys.Of([]));
        f.Spec.Cost = new Dictionary<string, string> { ["cpu"] = "7" };
        Assert.Equal(ResourceList.Of(("cpu", "7")), _term.MapFunction(f).Placement.Cost);
    }

    [Fact]
    public void Forget_puts_the_keys_of_a_pass_into_a_set_only_when_a_memo_is_swept()
    {
        // Empty memos, and memos smaller than the objects present: nothing to sweep, no set made.
        var neverListed = SeenKeys.Of(1_000, () => throw new InvalidOperationException("the keys were listed"));
        _term.Forget(neverListed, neverListed, neverListed, neverListed);
        _term.MapFunction(TestObjects.Function("f").Uid("uid-f").Cost("cpu", "1").Build());
        _term.Forget(neverListed, neverListed, neverListed, neverListed);

        // A memo larger than the objects present is swept against them.
        var listed = 0;
        _term.Forget(SeenKeys.Of([]), SeenKeys.Of(0, () => { listed++; return []; }), SeenKeys.Of([]), SeenKeys.Of([]));
        Assert.Equal(1, listed);
    }

    [Fact]
    public void Events_recorded_are_swept_on_every_pass_so_a_recreated_object_gets_its_Event()
    {
        _term.EventsRecorded["default/gone"] = new EventReport("Warning", "FailedScheduling", "m");
        _term.DiscreteEventsRecorded["uid-gone|SuspiciousQuantity|m"] = true;
        _term.DiscreteEventsRecorded["uid-f|SuspiciousQuantity|m"] = true;

        // Fewer entries than functions present: swept all the same.
        _term.Forget(SeenKeys.Of(["default/f", "default/g"]), SeenKeys.Of(["uid-f", "uid-g"]), SeenKeys.Of([]), SeenKeys.Of([]));

        Assert.Empty(_term.EventsRecorded);
        Assert.Equal(["uid-f|SuspiciousQuantity|m"], _term.DiscreteEventsRecorded.Keys);
    }

    [Fact]
    public void A_node_report_made_again_equal_is_the_instance_the_status_memo_holds_and_a_changed_one_is_new()
    {
        var nodes = NodeView.Build(Node().Build(), _term.ParseNode);
        _term.SyncNodes(nodes);
        var state = Assert.Single(nodes.States);
        var first = _term.NodeReport(state, _term.Tracker.GetNode(state.Name), null);

        // The same HandoffNode replaced by an equal object (its own status write comes back): equal report, same instance.
        var replaced = NodeView.Build(Node().Build(), _term.ParseNode).States.Single();
        Assert.NotEqual(state, replaced);
        Assert.Same(first, _term.NodeReport(replaced, _term.Tracker.GetNode(state.Name), null));

        // A real change (a smaller capacity: a new generation) is a new report.
        var smaller = NodeView.Build(Node(cpu: "2", generation: 2).Build(), _term.ParseNode).States.Single();
        _term.SyncNodes(NodeView.Build(Node(cpu: "2", generation: 2).Build(), _term.ParseNode));
        var changed = _term.NodeReport(smaller, _term.Tracker.GetNode(state.Name), null);
        Assert.NotSame(first, changed);
        Assert.NotEqual(first, changed);
    }

    [Fact]
    public void The_tracker_has_exactly_the_usable_HandoffNodes_with_their_capacities()
    {
        _term.SyncNodes(NodeView.Build(new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .HandoffNode(TestObjects.HandoffNode("b").Capacity("cpu", "4")).Build(), _term.ParseNode));
        Assert.Equal(["a", "b"], _term.Tracker.Nodes);

        // b goes, a shrinks, c comes; a HandoffNode without a usable spec is not tracked.
        _term.SyncNodes(NodeView.Build(new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "2").Generation(2))
            .HandoffNode(TestObjects.HandoffNode("c").Capacity("cpu", "8"))
            .HandoffNode(TestObjects.HandoffNode("d")).Build(), _term.ParseNode));

        Assert.Equal(["a", "c"], _term.Tracker.Nodes);
        Assert.Equal(ResourceList.Of(("cpu", "2")), _term.Tracker.GetNode("a")!.Capacity);
        Assert.Equal(ResourceList.Of(("cpu", "8")), _term.Tracker.GetNode("c")!.Capacity);
    }
}
