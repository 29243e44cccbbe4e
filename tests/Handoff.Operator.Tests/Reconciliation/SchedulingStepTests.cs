using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 6: the ready functions → workloads in queue order, pod names, and one scheduling cycle.</summary>
public sealed class SchedulingStepTests
{
    private static readonly DateTimeOffset T0 = TestObjects.Epoch;

    /// <summary>One node with room for one function of cpu 1.</summary>
    private static SnapshotBuilder RoomForOne() => new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "1"));

    private static HandoffFunctionBuilder Fn(string name, DateTimeOffset created) => TestObjects.Function(name).Cost("cpu", "1").CreatedAt(created);

    private static HandoffFunctionStatus SucceededAt(DateTimeOffset at, string node = "a") => new()
    {
        Phase = "Succeeded",
        Attempts = 1,
        PodName = "src-1",
        Node = node,
        Result = "1",
        CompletionTime = at.UtcDateTime,
        Conditions = [new() { Type = ConditionTypes.Completed, Status = ConditionStatus.True, Reason = Reasons.Succeeded }],
    };

    private static HandoffFunctionStatus RetryingAfter(string pod, DateTimeOffset at) => new()
    {
        Phase = "Pending",
        Attempts = 1,
        PodName = pod,
        Node = "a",
        RetryAfter = at.UtcDateTime,
        Conditions = [new() { Type = ConditionTypes.Scheduled, Status = ConditionStatus.False, Reason = Reasons.Retrying }],
    };

    private static string[] PlacedNames(PurePass pass) => [.. pass.Scheduling.Cycle.Placed.Select(p => p.Workload.Id)];

    [Fact]
    public void Functions_ready_since_their_creation_go_in_creation_order_not_name_order()
    {
        var pass = PurePass.Run(RoomForOne().Function(Fn("a", T0.AddMinutes(1))).Function(Fn("b", T0)));

        Assert.Equal(["default/b"], PlacedNames(pass));
        Assert.Equal(Reasons.FailedScheduling, pass.Scheduling.UnplacedOf("default/a")!.Reason);
        Assert.Equal(T0, pass.Scheduling.Offered["default/b"].Workload.Order.ReadySince);
    }

    [Fact]
    public void A_function_is_ready_when_its_last_arg_succeeded()
    {
        var src = Fn("src", T0).Status(SucceededAt(T0.AddMinutes(30)));
        var pass = PurePass.Run(RoomForOne()
            .Function(src)
            .Function(Fn("early-but-waited", T0).Args("src"))
            .Function(Fn("plain", T0.AddMinutes(10))));

        Assert.Equal(T0.AddMinutes(30), pass.Scheduling.Offered["default/early-but-waited"].Workload.Order.ReadySince);
        Assert.Equal(["default/plain"], PlacedNames(pass));
    }

    [Fact]
    public void A_retry_is_ready_when_its_back_off_ended()
    {
        var retry = Fn("retry", T0).Status(RetryingAfter("retry-1", T0.AddMinutes(20))).Build();
        var pass = PurePass.Run(RoomForOne()
            .Function(retry)
            .Pod(TestObjects.PodOf(retry).Cost("cpu", "1").PlacedOn("a").Failed())
            .Function(Fn("fresh", T0.AddMinutes(15))));

        var offered = pass.Scheduling.Offered["default/retry"];
        Assert.Equal((T0.AddMinutes(20), 2, "retry-2", "default/retry-2"), (offered.Workload.Order.ReadySince, offered.Attempt, offered.PodName, offered.Workload.Holder));
        Assert.Equal(["default/fresh"], PlacedNames(pass));
    }

    [Fact]
    public void Ties_in_ready_time_go_by_creation_then_namespace_and_name()
    {
        var src = Fn("src", T0).Status(SucceededAt(T0.AddMinutes(5)));
        var pass = PurePass.Run(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "2"))
            .Function(src)
            .Function(Fn("z-older", T0).Args("src"))
            .Function(Fn("y-newer", T0.AddMinutes(1)).Args("src"))
            .Function(Fn("x-newer", T0.AddMinutes(1)).Args("src")));

        Assert.Equal(["default/z-older", "default/x-newer"], PlacedNames(pass));
    }

    [Fact]
    public void Only_ready_functions_with_no_live_pod_and_a_usable_spec_are_offered()
    {
        var running = Fn("running", T0).Build();
        var failed = Fn("backing-off", T0).Build();
        var pass = PurePass.Run(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "8"))
            .Function(running).Pod(TestObjects.PodOf(running).Cost("cpu", "1").PlacedOn("a").Running())
            .Function(failed).Pod(TestObjects.PodOf(failed).Cost("cpu", "1").PlacedOn("a").Failed())
            .Function(Fn("waiting", T0).Args("running"))
            .Function(Fn("done", T0).Status(SucceededAt(T0)))
            .Function(Fn("bad-spec", T0).Cost("cpu", "lots"))
            .Function(Fn("ready", T0)));

        Assert.Equal(["default/ready"], pass.Scheduling.Offered.Keys);
        Assert.Equal(["default/ready"], PlacedNames(pass));
    }

    [Fact]
    public void A_placement_is_held_in_the_terms_tracker_under_the_pod_it_will_create()
    {
        var pass = PurePass.Run(RoomForOne().Function(Fn("f", T0)));

        var placed = Assert.Single(pass.Scheduling.Cycle.Placed);
        Assert.Equal(("a", "default/f-1"), (placed.Node, placed.Workload.Holder));
        Assert.Same(placed, pass.Scheduling.PlacementOf("default/f"));
        Assert.Equal("a", pass.Term.Tracker.NodeOf("default/f-1"));
    }

    [Fact]
    public void The_pod_name_skips_names_taken_by_an_earlier_function_of_the_same_name()
    {
        var recreated = Fn("f", T0).Uid("uid-new").Build();
        var pass = PurePass.Run(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .Function(recreated)
            .Pod(TestObjects.PodOf(recreated).OwnedBy("uid-old").PlacedOn("a").Succeeded("old")));

        var offered = pass.Scheduling.Offered["default/f"];
        Assert.Equal((1, "f-1-2", "default/f-1-2"), (offered.Attempt, offered.PodName, offered.Workload.Holder));
    }

    [Fact]
    public void After_kubelet_rejections_the_same_attempt_gets_the_next_free_name()
    {
        var f = Fn("f", T0).Build();
        var pass = PurePass.Run(new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .Function(f)
            .Pod(TestObjects.PodOf(f).PlacedOn("a").RejectedByKubelet("OutOfcpu"))
            .Pod(TestObjects.PodOf(f).Named("f-1-2").PlacedOn("a").RejectedByKubelet("OutOfcpu").CreatedAt(T0.AddSeconds(1))));

        var offered = pass.Scheduling.Offered["default/f"];
        Assert.Equal((1, "f-1-3"), (offered.Attempt, offered.PodName));
    }

    [Fact]
    public void A_function_collocated_with_a_finished_one_goes_to_its_node()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
            .HandoffNode(TestObjects.HandoffNode("b").Capacity("cpu", "4"))
            .Function(Fn("leader", T0).Status(SucceededAt(T0, node: "b")))
            .Function(Fn("follower", T0).CollocateWith("leader")));

        Assert.Equal("b", pass.Scheduling.PlacementOf("default/follower")!.Node);
    }

    [Fact]
    public void A_function_collocated_with_one_not_placed_yet_waits_for_it()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "1"))
            .Function(Fn("blocker", T0))
            .Function(Fn("leader", T0.AddMinutes(1)).Cost("cpu", "1"))
            .Function(Fn("follower", T0.AddMinutes(2)).CollocateWith("leader")));

        Assert.Equal(Reasons.WaitingForCollocation, pass.Scheduling.UnplacedOf("default/follower")!.Reason);
    }

    [Fact]
    public void Nodes_that_are_cordoned_or_not_Ready_are_not_used()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"), TestObjects.Node("a").Cordoned())
            .HandoffNode(TestObjects.HandoffNode("b").Capacity("cpu", "4"), TestObjects.Node("b").NotReady())
            .HandoffNode(TestObjects.HandoffNode("c").Capacity("cpu", "4").Cordoned())
            .HandoffNode(TestObjects.HandoffNode("d").Capacity("cpu", "4"))
            .Function(Fn("f", T0)));

        Assert.Equal("d", pass.Scheduling.PlacementOf("default/f")!.Node);
    }
}
