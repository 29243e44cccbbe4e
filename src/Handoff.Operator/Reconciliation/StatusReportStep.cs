using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 8 of a pass (pure): what a function's status should say, from its attempts, its dependencies and what this pass
/// decided and did for it. The one mapping of Handoff's states to phases, reasons, messages and conditions.
/// </summary>
public static class StatusReportStep
{
    /// <summary>
    /// The desired status, or null when this pass has nothing to say (the status stays as it is: a pod created but not
    /// bound yet, or a placement whose I/O did not complete — "Scheduled" means bound). <paramref name="placement"/> and
    /// <paramref name="unplaced"/> are the cycle's answer when the function was offered; <paramref name="outcome"/> is how
    /// placing it went; <paramref name="bound"/> says whether its live, not yet bound pod was bound in this pass.
    /// </summary>
    public static FunctionReport? For(
        FunctionView f, DependencyState dependencies, Placement? placement, string? podName, int attempt, Unplaced? unplaced,
        PlacementOutcome? outcome, bool bound, DateTimeOffset now, bool scheduledEvents, QueueVerdict? queued = null) =>
        For(f, dependencies, placement, podName, attempt, unplaced, outcome, bound, new ObservedNow(now), scheduledEvents, queued);

    /// <summary>
    /// <see cref="For(FunctionView, DependencyState, Placement?, string?, int, Unplaced?, PlacementOutcome?, bool, DateTimeOffset, bool, QueueVerdict?)"/>,
    /// reading the time only where the report depends on it (<see cref="ObservedNow.WasRead"/> then says so).
    /// </summary>
    public static FunctionReport? For(
        FunctionView f, DependencyState dependencies, Placement? placement, string? podName, int attempt, Unplaced? unplaced,
        PlacementOutcome? outcome, bool bound, ObservedNow now, bool scheduledEvents, QueueVerdict? queued = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(now);
        if (f.SpecProblem is { } problem && f.State is not (Active or Succeeded or Failed))
        {
            return Terminal(f, FunctionPhase.Failed, Reasons.InvalidSpec, problem, null, f.State.Attempts, f.Record.CompletionTime, now, f.Record.Node, f.Record.PodName);
        }

        switch (f.State)
        {
            case Succeeded s:
                return Terminal(f, FunctionPhase.Succeeded, Reasons.Succeeded, null, s.Result, s.Attempts, s.CompletionTime, now, s.Node, s.PodName);
            case Failed x:
                return Terminal(f, FunctionPhase.Failed, x.Reason, x.Message, null, x.Attempts, x.CompletionTime, now, x.Node, x.PodName);
            case Active a when a.Preempted:
                return Pending(f, Reasons.Preempted, a.PreemptionMessage ?? "preempted", a.Attempts, a.Pod.Node, a.Pod.Name, null) with
                {
                    Event = null,
                };
            case Active a when a.Pod.Bound || bound:
                return Placed(f, a.Pod.Phase == PodPhase.Running ? FunctionPhase.Running : FunctionPhase.Scheduled, a.Pod.Node!, a.Pod.Name, a.Attempts, now,
                    a.Pod.Terminating ? Messages.PodTerminating(a.Pod.Name) : null, scheduledEvents);
            case Active:
                return null;
            case BackingOff b when dependencies.FailsFunction:
                return Terminal(f, FunctionPhase.Failed, dependencies.Reason!, dependencies.Message, null, b.Attempts, null, now, f.Record.Node, f.Record.PodName);
            case BackingOff b:
                return Pending(f, b.Reason, b.Message, b.Attempts, f.Record.Node ?? NodeOfLastPod(f), f.Record.PodName ?? NameOfLastPod(f), b.RetryAfter) with
                {
                    Event = b.Reason == Reasons.NodeRejected
                        ? new EventReport("Warning", Reasons.NodeRejected, b.Message)
                        : new EventReport("Normal", Reasons.Retrying, b.Message),
                };
        }

        var next = (NotStarted)f.State;
        if (dependencies.FailsFunction)
        {
            return Terminal(f, FunctionPhase.Failed, dependencies.Reason!, dependencies.Message, null, next.Attempts, null, now, f.Record.Node, f.Record.PodName);
        }

        if (f.InputProblem is { } tooLarge && dependencies.Status == DependencyStatus.Ready)
        {
            return Terminal(f, FunctionPhase.Failed, Reasons.InputTooLarge, tooLarge, null, next.Attempts, null, now, f.Record.Node, f.Record.PodName);
        }

        if (dependencies.Status != DependencyStatus.Ready)
        {
            return new FunctionReport(FunctionPhase.Waiting)
            {
                Attempts = next.Attempts,
                Reason = dependencies.Reason,
                Message = dependencies.Message,
                StartTime = f.Record.StartTime,
                DependenciesReady = new ConditionReport("DependenciesReady", false, dependencies.Reason, dependencies.Message),
                Scheduled = new ConditionReport("Scheduled", false, Reasons.WaitingForDependencies, null),
                Completed = NotCompleted(FunctionPhase.Waiting),
                Event = dependencies.Status == DependencyStatus.UnknownReference ? new EventReport("Warning", Reasons.UnknownDependency, dependencies.Message!) : null,
            };
        }

        if (placement is not null && outcome?.Result == PlacementResult.Bound)
        {
            return Placed(f, FunctionPhase.Scheduled, placement.Node, podName!, attempt, now, null, scheduledEvents);
        }

        if (placement is not null && outcome?.Result == PlacementResult.InvalidTemplate)
        {
            return Terminal(f, FunctionPhase.Failed, Reasons.InvalidTemplate, outcome.Message, null, next.Attempts, null, now, null, null);
        }

        if (queued?.GangFailure is { } gangFailure)
        {
            return Terminal(f, FunctionPhase.Failed, Reasons.GangFailed, gangFailure, null, next.Attempts, null, now, f.Record.Node, f.Record.PodName);
        }

        var retryAfter = next.Reason == Reasons.Retrying ? next.ReadyAfter : null;
        if (queued?.Blocked is { } block)
        {
            return Pending(f, block.Reason, block.Message, next.Attempts, f.Record.Node, f.Record.PodName, retryAfter) with
            {
                Event = new EventReport("Warning", block.Reason, block.Message),
            };
        }

        if (unplaced is not null)
        {
            return Pending(f, unplaced.Reason, unplaced.Message, next.Attempts, f.Record.Node, f.Record.PodName, retryAfter) with
            {
                QueuePosition = unplaced.Position,

                // Events carry the cause without the position: the same cause is one Event, however the queue moves.
                Event = unplaced.Reason switch
                {
                    Reasons.FailedScheduling or Reasons.Unschedulable => new EventReport("Warning", Reasons.FailedScheduling, unplaced.Cause),
                    Reasons.QuotaExceeded => new EventReport("Warning", Reasons.QuotaExceeded, unplaced.Cause),
                    _ => null,
                },
            };
        }

        if (placement is not null)
        {
            return null;
        }

        // Not offered (its next attempt waits for nothing the cycle decides): say why it is placed again.
        return Pending(f, next.Reason ?? Reasons.FailedScheduling, next.Message ?? "", next.Attempts, f.Record.Node, f.Record.PodName, retryAfter) with
        {
            Event = next.Reason == Reasons.NodeRejected ? new EventReport("Warning", Reasons.NodeRejected, next.Message!) : null,
        };
    }

    /// <summary>
    /// What a victim's status says the moment it is preempted, written before its pod is deleted: Pending, reason
    /// <c>Preempted</c>, its attempt and pod kept — so the attempt is placed again under the same number, and a restart
    /// between the write and the deletion still knows the pod is to go.
    /// </summary>
    public static FunctionReport Preempted(FunctionView f, Active active, string message) =>
        Pending(f, Reasons.Preempted, message, active.Attempts, active.Pod.Node, active.Pod.Name, null);

    private static string? NodeOfLastPod(FunctionView f) => f.Pods.Count == 0 ? null : f.Pods.MaxBy(p => p.Attempt.Attempt)!.Attempt.Node;

    private static string? NameOfLastPod(FunctionView f) => f.Pods.Count == 0 ? null : f.Pods.MaxBy(p => p.Attempt.Attempt)!.Attempt.Name;

    private static ConditionReport DependenciesMet(FunctionView f) =>
        new("DependenciesReady", true, Reasons.DependenciesSucceeded, (f.Mapped?.Args.Count ?? f.Object.Spec?.Args?.Count ?? 0) == 0 ? Messages.NoArgs : Messages.AllArgsSucceeded);

    private static ConditionReport NotCompleted(FunctionPhase phase) => new("Completed", false, phase.Name(), null);

    private static FunctionReport Placed(FunctionView f, FunctionPhase phase, string node, string pod, int attempts, ObservedNow now, string? message, bool scheduledEvent) =>
        new(phase)
        {
            Node = node,
            PodName = pod,
            Attempts = attempts,
            Message = message,
            StartTime = f.Record.StartTime ?? Truncate(now.Value),
            DependenciesReady = DependenciesMet(f),
            Scheduled = new ConditionReport("Scheduled", true, Reasons.Scheduled, Messages.Bound(pod, node)),
            Completed = NotCompleted(phase),
            Event = scheduledEvent ? new EventReport("Normal", Reasons.Scheduled, Messages.Bound(pod, node)) : null,
        };

    private static FunctionReport Pending(FunctionView f, string reason, string message, int attempts, string? node, string? pod, DateTimeOffset? retryAfter) =>
        new(FunctionPhase.Pending)
        {
            Node = node,
            PodName = pod,
            Attempts = attempts,
            Reason = reason,
            Message = message,
            RetryAfter = retryAfter,
            StartTime = f.Record.StartTime,
            DependenciesReady = DependenciesMet(f),
            Scheduled = new ConditionReport("Scheduled", false, reason, message),
            Completed = NotCompleted(FunctionPhase.Pending),
        };

    private static FunctionReport Terminal(
        FunctionView f, FunctionPhase phase, string reason, string? message, string? result, int attempts, DateTimeOffset? completion, ObservedNow now,
        string? node, string? pod)
    {
        // The time (when nothing recorded or derived says when it ended) is read only if the report needs it.
        var ran = attempts > 0 && pod is not null;
        return new FunctionReport(phase)
        {
            Node = node,
            PodName = pod,
            Attempts = attempts,
            Result = result,
            Reason = reason,
            Message = message,
            StartTime = f.Record.StartTime,
            CompletionTime = f.Record.Phase is { } recorded && recorded.IsTerminal() && f.Record.CompletionTime is { } kept ? kept : Truncate(completion ?? now.Value),
            DependenciesReady = reason is Reasons.DependencyFailed or Reasons.DependencyCycle
                ? new ConditionReport("DependenciesReady", false, reason, message)
                : DependenciesMet(f),
            Scheduled = ran ? new ConditionReport("Scheduled", true, Reasons.Scheduled, Messages.Bound(pod!, node ?? "")) : new ConditionReport("Scheduled", false, reason, message),
            Completed = new ConditionReport("Completed", true, reason, message),
            Event = phase == FunctionPhase.Failed ? new EventReport("Warning", reason == Reasons.RetriesExhausted ? Reasons.Failed : reason, message ?? reason) : null,
        };
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
