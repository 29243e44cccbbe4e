using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Operator.Controllers;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// What a term keeps of a function from pass to pass so that a pass derives only what changed: its view, used again while
/// the same object, spec and pods are seen and its state did not read the time; and whether its report was found
/// written, while the same view and dependencies are seen.
/// </summary>
public sealed class FunctionMemoTests
{
    private static readonly HandoffFunction Running = TestObjects.Function("f").Uid("uid-f").Cost("cpu", "1")
        .Status(new HandoffFunctionStatus { Phase = "Running", Attempts = 1, PodName = "f-1", Node = "a", StartTime = DateTime.UnixEpoch }).Build();

    private readonly TermState _term = new(AllocationStrategy.FirstAvailable);

    private static ClusterSnapshot Cluster(HandoffFunction f, FunctionPodBuilder pod) =>
        new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4")).Function(f).Pod(pod).Build();

    private FunctionView ViewIn(ClusterSnapshot snapshot) => Assert.Single(PurePass.Run(snapshot, _term).Functions);

    [Fact]
    public void The_same_object_and_pods_later_give_the_same_view()
    {
        var snapshot = Cluster(Running, TestObjects.PodOf(Running).Cost("cpu", "1").PlacedOn("a").Running());
        var first = ViewIn(snapshot);

        var later = ViewIn(snapshot with { Now = snapshot.Now.AddHours(1) });

        Assert.IsType<Active>(first.State);
        Assert.Same(first, later);
    }

    [Fact]
    public void A_new_object_or_a_changed_pod_is_derived_again()
    {
        var snapshot = Cluster(Running, TestObjects.PodOf(Running).Cost("cpu", "1").PlacedOn("a").Running());
        var first = ViewIn(snapshot);

        // The same status in a new object (a status write): derived again, to the same state.
        var rewritten = TestObjects.Function("f").Uid("uid-f").Cost("cpu", "1").Status(Running.Status!).Build();
        var again = ViewIn(snapshot with { Functions = [rewritten] });
        Assert.NotSame(first, again);
        Assert.Equal(first.State, again.State);

        // Its pod finished: a new record, a new state.
        var finished = ViewIn(snapshot with { Functions = [rewritten], Pods = [CacheTransforms.Pod(TestObjects.PodOf(Running).Cost("cpu", "1").PlacedOn("a").Succeeded("42").Build())] });
        Assert.Equal("42", Assert.IsType<Succeeded>(finished.State).Result);
    }

    [Fact]
    public void An_edited_spec_is_mapped_again_and_its_view_derived_again()
    {
        var snapshot = Cluster(Running, TestObjects.PodOf(Running).Cost("cpu", "1").PlacedOn("a").Running());
        var first = ViewIn(snapshot);

        var edited = TestObjects.Function("f").Uid("uid-f").Cost("cpu", "2").Generation(2).Status(Running.Status!).Build();
        var view = ViewIn(snapshot with { Functions = [edited] });

        Assert.NotSame(first, view);
        Assert.Equal(ResourceList.Of(("cpu", "2")), view.Mapped!.Placement.Cost);
    }

    [Fact]
    public void A_state_that_read_the_time_is_derived_on_every_pass()
    {
        // A failed attempt no status recorded yet: its back-off runs from the pass's time.
        var f = TestObjects.Function("f").Uid("uid-f").MaxRetries(2).Build();
        var snapshot = Cluster(f, TestObjects.PodOf(f).PlacedOn("a").Failed());
        var first = ViewIn(snapshot);

        var later = ViewIn(snapshot with { Now = snapshot.Now.AddMinutes(5) });

        Assert.NotSame(first, later);
        Assert.Equal(
            Assert.IsType<BackingOff>(first.State).RetryAfter.AddMinutes(5),
            Assert.IsType<BackingOff>(later.State).RetryAfter);
    }

    [Fact]
    public void A_report_is_settled_only_for_the_same_view_and_equal_dependencies()
    {
        var snapshot = Cluster(Running, TestObjects.PodOf(Running).Cost("cpu", "1").PlacedOn("a").Running());
        var view = ViewIn(snapshot);
        var waiting = new DependencyState(DependencyStatus.Waiting, ["default/a"]);
        Assert.False(_term.IsSettled(view, DependencyState.Ready, out _));

        TermState.Settle(view, waiting, FunctionPhase.Running, settled: true);

        Assert.True(_term.IsSettled(view, new DependencyState(DependencyStatus.Waiting, ["default/a"]), out var phase));
        Assert.Equal(FunctionPhase.Running, phase);
        Assert.False(_term.IsSettled(view, new DependencyState(DependencyStatus.Waiting, ["default/b"]), out _));
        Assert.False(_term.IsSettled(view, DependencyState.Ready, out _));
        Assert.False(_term.IsSettled(view with { }, waiting, out _));

        TermState.Settle(view, waiting, FunctionPhase.Running, settled: false);
        Assert.False(_term.IsSettled(view, waiting, out _));
    }

    [Fact]
    public void ForgetDerived_gives_the_kept_views_and_reports_up_and_keeps_the_mapped_specs()
    {
        var snapshot = Cluster(Running, TestObjects.PodOf(Running).Cost("cpu", "1").PlacedOn("a").Running());
        var view = ViewIn(snapshot);
        TermState.Settle(view, DependencyState.Ready, FunctionPhase.Running, settled: true);

        _term.ForgetDerived();

        Assert.False(_term.IsSettled(view, DependencyState.Ready, out _));
        var again = ViewIn(snapshot);
        Assert.NotSame(view, again);
        Assert.Same(view.Mapped, again.Mapped);
        Assert.Equal(view.State, again.State);
    }

    [Fact]
    public void Forget_drops_the_memos_of_functions_that_are_gone_with_their_settled_reports()
    {
        var snapshot = Cluster(Running, TestObjects.PodOf(Running).Cost("cpu", "1").PlacedOn("a").Running());
        var view = ViewIn(snapshot);
        TermState.Settle(view, DependencyState.Ready, FunctionPhase.Running, settled: true);

        _term.Forget(SeenKeys.Of([]), SeenKeys.Of([]), SeenKeys.Of([]), SeenKeys.Of([]));

        // Seen again, it is derived anew, with nothing settled: what was kept of it went with its memo.
        var again = ViewIn(snapshot);
        Assert.NotSame(view, again);
        Assert.False(_term.IsSettled(again, DependencyState.Ready, out _));
    }
}
