using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Operator.Controllers;
using Handoff.Operator.Reconciliation;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// Step 8 for functions: attempt state × dependency state × what this pass did → phase, reason, message, conditions and
/// Event; null where the status is left as it is.
/// </summary>
public sealed class StatusReportStepTests
{
    private static readonly DateTimeOffset T0 = TestObjects.Epoch;

    // The pass's clock is not on a whole second: the times it writes are.
    private static readonly DateTimeOffset Now = T0.AddHours(1).AddMilliseconds(500);
    private static readonly DateTimeOffset NowInStatus = T0.AddHours(1);

    private static readonly HandoffFunction F = TestObjects.Function("f").Cost("cpu", "1").Build();
    private static readonly MappedFunction Mapped = HandoffMapper.ToFunction(F);
    private static readonly AttemptPod Bound = new("f-1", 1) { Node = "a", Bound = true, Phase = PodPhase.Pending, Created = T0 };

    private static readonly ConditionReport ArgsMet = new("DependenciesReady", true, Reasons.DependenciesSucceeded, Messages.NoArgs);

    private static FunctionView View(AttemptState state, StatusRecord? record = null, string? specProblem = null, params AttemptPod[] pods) =>
        new(F, "default/f", record ?? StatusRecord.Empty, [.. pods.Select(p => new ObservedPod(CacheTransforms.Pod(TestObjects.PodOf(F, p.Attempt).Build()), p) { Key = "default/" + p.Name })], state)
        {
            Mapped = specProblem is null ? Mapped : null,
            SpecProblem = specProblem,
        };

    private static FunctionReport? Report(
        FunctionView f, DependencyState? dependencies = null, Placement? placement = null, int attempt = 0, Unplaced? unplaced = null,
        PlacementOutcome? outcome = null, bool bound = false, bool scheduledEvents = false) =>
        StatusReportStep.For(f, dependencies ?? DependencyState.Ready, placement, placement is null ? null : $"f-{attempt}", attempt, unplaced, outcome, bound, Now, scheduledEvents);

    private static Workload Workload => new(Mapped.Placement, AllocationStrategy.FirstAvailable, new QueueOrderKey(T0, T0, "default/f"));

    private static Placement PlacedOnA => new(Workload, "a", ResourceList.Of(("cpu", "1")));

    private static Unplaced NotPlaced(string reason) => new(Workload, reason, reason == Reasons.WaitingForCollocation
        ? AllocationDecision.WaitForCollocation(Mapped.Placement with { CollocateWith = "default/leader" })
        : AllocationDecision.Rejected(Mapped.Placement, 1, [], unschedulable: reason == Reasons.Unschedulable, anyNodeMatchesConstraints: true));

    private static readonly NotStarted First = new(1) { Attempts = 0 };

    // ---- Waiting, and dependencies that end the function ----------------------------------------------------------

    [Fact]
    public void Args_not_succeeded_yet_make_it_Waiting_without_an_Event()
    {
        var waiting = new DependencyState(DependencyStatus.Waiting, ["default/src"]);

        Assert.Equal(
            new FunctionReport(FunctionPhase.Waiting)
            {
                Reason = Reasons.WaitingForDependencies,
                Message = "waiting for args to succeed: src",
                DependenciesReady = new("DependenciesReady", false, Reasons.WaitingForDependencies, "waiting for args to succeed: src"),
                Scheduled = new("Scheduled", false, Reasons.WaitingForDependencies, null),
                Completed = new("Completed", false, "Waiting", null),
            },
            Report(View(First), waiting));
    }

    [Fact]
    public void An_unknown_arg_makes_it_Waiting_with_an_UnknownDependency_Event()
    {
        var report = Report(View(First), new DependencyState(DependencyStatus.UnknownReference, ["default/missing"]))!;

        const string message = "unknown args (no such HandoffFunction in this namespace): missing";
        Assert.Equal((FunctionPhase.Waiting, Reasons.UnknownDependency, message), (report.Phase, report.Reason, report.Message));
        Assert.Equal(new EventReport("Warning", Reasons.UnknownDependency, message), report.Event);
    }

    [Theory]
    [InlineData(DependencyStatus.Cycle, Reasons.DependencyCycle, "dependency cycle: f -> g -> f")]
    [InlineData(DependencyStatus.DependencyFailed, Reasons.DependencyFailed, "dependency f failed")]
    public void A_cycle_or_a_failed_dependency_makes_it_Failed_before_it_ran(DependencyStatus status, string reason, string message)
    {
        var dependencies = new DependencyState(status, status == DependencyStatus.Cycle ? ["default/f", "default/g", "default/f"] : ["default/f"]);

        Assert.Equal(
            new FunctionReport(FunctionPhase.Failed)
            {
                Reason = reason,
                Message = message,
                CompletionTime = NowInStatus,
                DependenciesReady = new("DependenciesReady", false, reason, message),
                Scheduled = new("Scheduled", false, reason, message),
                Completed = new("Completed", true, reason, message),
                Event = new EventReport("Warning", reason, message),
            },
            Report(View(First), dependencies));
    }

    [Fact]
    public void A_dependency_failing_while_it_backs_off_makes_it_Failed_and_it_shows_where_it_ran()
    {
        var record = new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Node = "a", StartTime = T0 };
        var report = Report(View(new BackingOff(Now.AddSeconds(5), "retry") { Attempts = 1 }, record), new DependencyState(DependencyStatus.DependencyFailed, ["default/src"]))!;

        Assert.Equal((FunctionPhase.Failed, Reasons.DependencyFailed, 1, "a", "f-1", T0), (report.Phase, report.Reason, report.Attempts, report.Node, report.PodName, report.StartTime));
        Assert.Equal(new ConditionReport("Scheduled", true, Reasons.Scheduled, "pod f-1 bound to a"), report.Scheduled);
    }

    // ---- What this pass did for a ready function --------------------------------------------------------------------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Placed_and_bound_now_is_Scheduled_with_the_Scheduled_Event_only_when_asked(bool scheduledEvents)
    {
        Assert.Equal(
            new FunctionReport(FunctionPhase.Scheduled)
            {
                Node = "a",
                PodName = "f-1",
                Attempts = 1,
                StartTime = NowInStatus,
                DependenciesReady = ArgsMet,
                Scheduled = new("Scheduled", true, Reasons.Scheduled, "pod f-1 bound to a"),
                Completed = new("Completed", false, "Scheduled", null),
                Event = scheduledEvents ? new EventReport("Normal", Reasons.Scheduled, "pod f-1 bound to a") : null,
            },
            Report(View(First), placement: PlacedOnA, attempt: 1, outcome: new PlacementOutcome(PlacementResult.Bound), scheduledEvents: scheduledEvents));
    }

    [Fact]
    public void A_template_the_API_server_refused_makes_it_Failed_with_InvalidTemplate()
    {
        const string message = "Pod \"f-1\" is invalid: spec.containers[0].image: Required value";

        Assert.Equal(
            new FunctionReport(FunctionPhase.Failed)
            {
                Reason = Reasons.InvalidTemplate,
                Message = message,
                CompletionTime = NowInStatus,
                DependenciesReady = ArgsMet,
                Scheduled = new("Scheduled", false, Reasons.InvalidTemplate, message),
                Completed = new("Completed", true, Reasons.InvalidTemplate, message),
                Event = new EventReport("Warning", Reasons.InvalidTemplate, message),
            },
            Report(View(First), placement: PlacedOnA, attempt: 1, outcome: new PlacementOutcome(PlacementResult.InvalidTemplate, message)));
    }

    [Fact]
    public void A_placement_whose_calls_did_not_complete_leaves_the_status_as_it_is() =>
        Assert.Null(Report(View(First), placement: PlacedOnA, attempt: 1, outcome: new PlacementOutcome(PlacementResult.NotDone)));

    [Fact]
    public void A_placement_not_acted_on_yet_leaves_the_status_as_it_is() =>
        Assert.Null(Report(View(First), placement: PlacedOnA, attempt: 1));

    [Theory]
    [InlineData(Reasons.FailedScheduling, "0/1 nodes are available.", true)]
    [InlineData(Reasons.Unschedulable, "0/1 nodes are available. Unschedulable: the cost (cpu=1) exceeds the total capacity of every eligible node.", true)]
    [InlineData(Reasons.WaitingForCollocation, "waiting for leader to be placed (collocateWith)", false)]
    public void Not_placed_is_Pending_with_the_cycles_reason_and_message(string reason, string message, bool failedSchedulingEvent)
    {
        Assert.Equal(
            new FunctionReport(FunctionPhase.Pending)
            {
                Reason = reason,
                Message = message,
                DependenciesReady = ArgsMet,
                Scheduled = new("Scheduled", false, reason, message),
                Completed = new("Completed", false, "Pending", null),
                Event = failedSchedulingEvent ? new EventReport("Warning", Reasons.FailedScheduling, message) : null,
            },
            Report(View(First), unplaced: NotPlaced(reason)));
    }

    [Fact]
    public void A_retry_not_placed_keeps_its_back_off_end_and_where_the_failed_attempt_ran()
    {
        var readyAfter = T0.AddMinutes(30);
        var record = new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Node = "a", StartTime = T0, RetryAfter = readyAfter };
        var report = Report(View(new NotStarted(2) { Attempts = 1, Reason = Reasons.Retrying, Message = "m", ReadyAfter = readyAfter }, record), unplaced: NotPlaced(Reasons.FailedScheduling))!;

        Assert.Equal((FunctionPhase.Pending, Reasons.FailedScheduling, 1, readyAfter, "a", "f-1", T0),
            (report.Phase, report.Reason, report.Attempts, report.RetryAfter, report.Node, report.PodName, report.StartTime));
    }

    [Fact]
    public void A_re_placement_after_a_kubelet_rejection_not_offered_says_why_with_a_NodeRejected_Event()
    {
        const string message = "pod f-1 was rejected by the kubelet of a: OutOfcpu";
        var report = Report(View(new NotStarted(1) { Attempts = 1, Reason = Reasons.NodeRejected, Message = message }))!;

        Assert.Equal((FunctionPhase.Pending, Reasons.NodeRejected, message, 1, (DateTimeOffset?)null), (report.Phase, report.Reason, report.Message, report.Attempts, report.RetryAfter));
        Assert.Equal(new EventReport("Warning", Reasons.NodeRejected, message), report.Event);
    }

    // ---- A live pod ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(PodPhase.Pending, FunctionPhase.Scheduled)]
    [InlineData(PodPhase.Unknown, FunctionPhase.Scheduled)]
    [InlineData(PodPhase.Running, FunctionPhase.Running)]
    public void A_bound_live_pod_is_Scheduled_or_Running_and_the_start_time_is_kept(PodPhase pod, FunctionPhase phase)
    {
        var record = new StatusRecord { Phase = FunctionPhase.Scheduled, Attempts = 1, PodName = "f-1", Node = "a", StartTime = T0 };

        Assert.Equal(
            new FunctionReport(phase)
            {
                Node = "a",
                PodName = "f-1",
                Attempts = 1,
                StartTime = T0,
                DependenciesReady = ArgsMet,
                Scheduled = new("Scheduled", true, Reasons.Scheduled, "pod f-1 bound to a"),
                Completed = new("Completed", false, phase.Name(), null),
            },
            Report(View(new Active(Bound with { Phase = pod }) { Attempts = 1 }, record)));
    }

    [Fact]
    public void A_terminating_pod_says_the_next_attempt_waits_for_it()
    {
        var report = Report(View(new Active(Bound with { Phase = PodPhase.Running, Terminating = true }) { Attempts = 1 }))!;

        Assert.Equal((FunctionPhase.Running, "pod f-1 is terminating; the next attempt starts once it is gone"), (report.Phase, report.Message));
    }

    [Fact]
    public void A_pod_not_bound_yet_leaves_the_status_as_it_is_until_it_is_bound_in_this_pass()
    {
        var unbound = View(new Active(Bound with { Bound = false }) { Attempts = 1 });

        Assert.Null(Report(unbound));
        var report = Report(unbound, bound: true)!;
        Assert.Equal((FunctionPhase.Scheduled, "a", "f-1", NowInStatus), (report.Phase, report.Node, report.PodName, report.StartTime));
    }

    [Fact]
    public void A_preempted_attempt_is_Pending_with_Preempted_and_no_Event()
    {
        var state = new Active(Bound with { Phase = PodPhase.Running, Terminating = true }) { Attempts = 1, Preempted = true, PreemptionMessage = "preempted by default/urgent" };

        Assert.Equal(
            new FunctionReport(FunctionPhase.Pending)
            {
                Node = "a",
                PodName = "f-1",
                Attempts = 1,
                Reason = Reasons.Preempted,
                Message = "preempted by default/urgent",
                DependenciesReady = ArgsMet,
                Scheduled = new("Scheduled", false, Reasons.Preempted, "preempted by default/urgent"),
                Completed = new("Completed", false, "Pending", null),
            },
            Report(View(state)));
    }

    // ---- After a failed attempt -------------------------------------------------------------------------------------

    [Fact]
    public void Backing_off_is_Pending_with_Retrying_the_retry_time_and_a_Retrying_Event_naming_the_last_pod()
    {
        var retryAfter = Now.AddSeconds(10);
        var failed = Bound with { Phase = PodPhase.Failed };

        Assert.Equal(
            new FunctionReport(FunctionPhase.Pending)
            {
                Node = "a",
                PodName = "f-1",
                Attempts = 1,
                Reason = Reasons.Retrying,
                Message = "pod f-1 failed; retry",
                RetryAfter = retryAfter,
                DependenciesReady = ArgsMet,
                Scheduled = new("Scheduled", false, Reasons.Retrying, "pod f-1 failed; retry"),
                Completed = new("Completed", false, "Pending", null),
                Event = new EventReport("Normal", Reasons.Retrying, "pod f-1 failed; retry"),
            },
            Report(View(new BackingOff(retryAfter, "pod f-1 failed; retry") { Attempts = 1 }, pods: failed)));
    }

    // ---- Terminal -----------------------------------------------------------------------------------------------------

    [Fact]
    public void Succeeded_carries_the_result_and_the_pods_finish_time()
    {
        var record = new StatusRecord { Phase = FunctionPhase.Running, Attempts = 1, PodName = "f-1", Node = "a", StartTime = T0 };

        Assert.Equal(
            new FunctionReport(FunctionPhase.Succeeded)
            {
                Node = "a",
                PodName = "f-1",
                Attempts = 1,
                Result = "42",
                Reason = Reasons.Succeeded,
                StartTime = T0,
                CompletionTime = T0.AddMinutes(2),
                DependenciesReady = ArgsMet,
                Scheduled = new("Scheduled", true, Reasons.Scheduled, "pod f-1 bound to a"),
                Completed = new("Completed", true, Reasons.Succeeded, null),
            },
            Report(View(new Succeeded("a", "f-1", "42", T0.AddMinutes(2).AddMilliseconds(300)) { Attempts = 1 }, record)));
    }

    [Theory]
    [InlineData(Reasons.RetriesExhausted, Reasons.Failed)]
    [InlineData(Reasons.NodeRejected, Reasons.NodeRejected)]
    public void Failed_is_reported_with_a_Warning_Event(string reason, string eventReason)
    {
        var report = Report(View(new Failed(reason, "it broke", "a", "f-4", T0.AddMinutes(3)) { Attempts = 4 }))!;

        Assert.Equal((FunctionPhase.Failed, reason, "it broke", 4, T0.AddMinutes(3)), (report.Phase, report.Reason, report.Message, report.Attempts, report.CompletionTime));
        Assert.Equal(new ConditionReport("Completed", true, reason, "it broke"), report.Completed);
        Assert.Equal(new EventReport("Warning", eventReason, "it broke"), report.Event);
    }

    [Fact]
    public void A_terminal_status_keeps_its_completion_time()
    {
        var record = new StatusRecord { Phase = FunctionPhase.Succeeded, Attempts = 1, PodName = "f-1", Node = "a", CompletionTime = T0 };

        Assert.Equal(T0, Report(View(new Succeeded("a", "f-1", "42", T0.AddMinutes(5)) { Attempts = 1 }, record))!.CompletionTime);
    }

    [Fact]
    public void A_spec_that_cannot_be_used_makes_it_Failed_with_InvalidSpec_unless_a_pod_runs_or_it_is_finished()
    {
        const string problem = "HandoffFunction default/f: spec.cost[cpu]: Invalid value";

        var report = Report(View(First, specProblem: problem))!;
        Assert.Equal((FunctionPhase.Failed, Reasons.InvalidSpec, problem, NowInStatus), (report.Phase, report.Reason, report.Message, report.CompletionTime));
        Assert.Equal(new EventReport("Warning", Reasons.InvalidSpec, problem), report.Event);

        Assert.Equal(FunctionPhase.Running, Report(View(new Active(Bound with { Phase = PodPhase.Running }) { Attempts = 1 }, specProblem: problem))!.Phase);
        Assert.Equal(FunctionPhase.Succeeded, Report(View(new Succeeded("a", "f-1", "1", T0) { Attempts = 1 }, specProblem: problem))!.Phase);
    }

    [Fact]
    public void The_dependencies_condition_names_whether_there_were_args()
    {
        var withArgs = TestObjects.Function("f").Args("src").Build();
        var view = new FunctionView(withArgs, "default/f", StatusRecord.Empty, [], First) { Mapped = HandoffMapper.ToFunction(withArgs) };

        var report = StatusReportStep.For(view, DependencyState.Ready, null, null, 0, NotPlaced(Reasons.FailedScheduling), null, false, Now, false)!;

        Assert.Equal(new ConditionReport("DependenciesReady", true, Reasons.DependenciesSucceeded, Messages.AllArgsSucceeded), report.DependenciesReady);
    }

    // ---- Queues (api.md, "Queues") ----------------------------------------------------------------------------------

    [Fact]
    public void Over_quota_it_is_Pending_with_the_numbers_and_its_position_and_the_Event_leaves_the_position_out()
    {
        var unplaced = new Unplaced(Workload with { Queue = "team-a" }, Reasons.QuotaExceeded, AllocationDecision.Rejected(Mapped.Placement, 0, [], false, true))
        {
            Detail = "queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 2",
            Position = 3,
        };

        var report = Report(View(First), unplaced: unplaced)!;

        Assert.Equal((FunctionPhase.Pending, Reasons.QuotaExceeded, 3), (report.Phase, report.Reason, report.QueuePosition));
        Assert.Equal("queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 2 (position 3 in queue team-a)", report.Message);
        Assert.Equal(new EventReport("Warning", Reasons.QuotaExceeded, "queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 2"), report.Event);
    }

    [Fact]
    public void Kept_out_of_the_cycle_it_is_Pending_with_the_reason_and_a_gang_that_cannot_run_fails_it()
    {
        var blocked = StatusReportStep.For(View(First), DependencyState.Ready, null, null, 0, null, null, false, Now, false,
            new QueueVerdict(new Core.Queueing.AdmissionBlock(Reasons.UnknownQueue, "queue x: no HandoffQueue named x"), null))!;
        Assert.Equal((FunctionPhase.Pending, Reasons.UnknownQueue, "queue x: no HandoffQueue named x"), (blocked.Phase, blocked.Reason, blocked.Message));

        var failed = StatusReportStep.For(View(First), DependencyState.Ready, null, null, 0, null, null, false, Now, false, new QueueVerdict(null, "gang g: too few"))!;
        Assert.Equal((FunctionPhase.Failed, Reasons.GangFailed, "gang g: too few"), (failed.Phase, failed.Reason, failed.Message));
    }

    [Fact]
    public void A_victim_is_Pending_Preempted_with_its_pod_and_attempt_kept()
    {
        var report = StatusReportStep.Preempted(View(new Active(Bound) { Attempts = 1 }), new Active(Bound) { Attempts = 1 }, "preempted by default/u (priority 9) to make room on a");

        Assert.Equal((FunctionPhase.Pending, Reasons.Preempted, 1, "f-1", "a"), (report.Phase, report.Reason, report.Attempts, report.PodName, report.Node));
        Assert.Equal(new ConditionReport("Scheduled", false, Reasons.Preempted, "preempted by default/u (priority 9) to make room on a"), report.Scheduled);
    }
}
