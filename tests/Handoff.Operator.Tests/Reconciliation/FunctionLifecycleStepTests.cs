using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 4: each function not being deleted → its spec in Core's terms and the state of its attempts.</summary>
public sealed class FunctionLifecycleStepTests
{
    private static SnapshotBuilder OneNode() => new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"));

    [Fact]
    public void Functions_being_deleted_are_left_out_but_their_pods_still_hold()
    {
        var deleting = TestObjects.Function("gone").Cost("cpu", "1").Deleting().Build();
        var pass = PurePass.Run(OneNode()
            .Function(deleting)
            .Function(TestObjects.Function("kept"))
            .Pod(TestObjects.PodOf(deleting).Cost("cpu", "1").PlacedOn("a").Running()));

        Assert.Equal(["kept"], pass.Functions.Select(f => f.Name));
        // Its live pod still holds; "kept" is placed in this pass, "gone" is not placed again.
        Assert.Equal(["default/gone-1", "default/kept-1"], pass.Term.Tracker.Allocations().Select(a => a.Holder).Order(StringComparer.Ordinal));
        Assert.Equal(["default/kept"], pass.Scheduling.Offered.Keys);
    }

    [Fact]
    public void Each_function_gets_its_key_spec_status_record_and_own_pods()
    {
        var f = TestObjects.Function("f", "team").Cost("cpu", "2").Args("src").Status(new HandoffFunctionStatus { Phase = "Scheduled", Attempts = 1, PodName = "f-1", Node = "a" }).Build();
        var pass = PurePass.Run(OneNode().Function(f)
            .Pod(TestObjects.PodOf(f).Cost("cpu", "2").PlacedOn("a").Running())
            .Pod(TestObjects.PodOf(f).OwnedBy("someone-else").Named("f-1-2").PlacedOn("a")));

        var view = Assert.Single(pass.Functions);
        Assert.Equal(("team/f", "team", "f"), (view.Key, view.Namespace, view.Name));
        Assert.Equal(["team/src"], view.Mapped!.Args);
        Assert.Null(view.SpecProblem);
        Assert.Equal(new StatusRecord { Phase = FunctionPhase.Scheduled, Attempts = 1, PodName = "f-1", Node = "a" }, view.Record);
        Assert.Equal(["f-1"], view.Pods.Select(p => p.Attempt.Name));
        var active = Assert.IsType<Active>(view.State);
        Assert.Equal(("f-1", PodPhase.Running, 1), (active.Pod.Name, active.Pod.Phase, active.Attempts));
        Assert.Same(view.Pods[0], view.LivePod);
        Assert.Equal("a", view.PlacedNode);
    }

    [Fact]
    public void A_spec_that_cannot_be_used_is_reported_and_the_state_still_derived()
    {
        var f = TestObjects.Function("f").Cost("cpu", "many").Build();
        var view = Assert.Single(PurePass.Run(OneNode().Function(f)).Functions);

        Assert.Null(view.Mapped);
        Assert.Contains("spec.cost[cpu]", view.SpecProblem, StringComparison.Ordinal);
        Assert.Equal(new NotStarted(1) { Attempts = 0 }, view.State);
    }

    [Theory]
    [InlineData(0, typeof(Failed))]
    [InlineData(1, typeof(BackingOff))]
    public void The_functions_maxRetries_decides_whether_a_failure_is_retried(int maxRetries, Type expected)
    {
        var f = TestObjects.Function("f").MaxRetries(maxRetries).Build();
        var view = Assert.Single(PurePass.Run(OneNode().Function(f).Pod(TestObjects.PodOf(f).PlacedOn("a").Failed())).Functions);

        Assert.IsType(expected, view.State);
    }

    [Fact]
    public void A_spec_that_cannot_be_mapped_still_uses_its_maxRetries()
    {
        var f = TestObjects.Function("f").Cost("cpu", "many").MaxRetries(0).Build();
        var view = Assert.Single(PurePass.Run(OneNode().Function(f).Pod(TestObjects.PodOf(f).PlacedOn("a").Failed())).Functions);

        Assert.Equal(Reasons.RetriesExhausted, Assert.IsType<Failed>(view.State).Reason);
    }

    [Fact]
    public void The_back_off_comes_from_the_operators_retry_policy()
    {
        var snapshot = OneNode().Function(TestObjects.Function("f")).Pod(TestObjects.PodOf(TestObjects.Function("f").Build()).PlacedOn("a").Failed()).Build();
        var retry = new RetryPolicy(3) { InitialBackoff = TimeSpan.FromSeconds(2) };

        var views = FunctionLifecycleStep.Build(snapshot, PurePass.Run(snapshot).Pods, new TermState(Core.Allocation.AllocationStrategy.FirstAvailable), retry);

        Assert.Equal(snapshot.Now.AddSeconds(2), Assert.IsType<BackingOff>(Assert.Single(views).State).RetryAfter);
    }
}
