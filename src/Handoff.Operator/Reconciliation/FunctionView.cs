using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// A HandoffFunction as one pass sees it: its spec in Core's terms (or why it cannot be used), what its status
/// recorded, its pods, and the state of its attempts derived from them.
/// </summary>
public sealed record FunctionView(HandoffFunction Object, string Key, StatusRecord Record, IReadOnlyList<ObservedPod> Pods, AttemptState State)
{
    public string Namespace => Object.Metadata.NamespaceProperty;

    public string Name => Object.Metadata.Name;

    /// <summary>The spec in Core's terms; null when it cannot be used (<see cref="SpecProblem"/> says why).</summary>
    public MappedFunction? Mapped { get; init; }

    public string? SpecProblem { get; init; }

    /// <summary>
    /// The term's memo of the function this view was made from (<see cref="FunctionLifecycleStep"/>): what the passes keep
    /// of it is reached from its view, not looked up again by key.
    /// </summary>
    internal TermState.FunctionMemo? Memo { get; init; }

    /// <summary>Why what it would be handed exceeds Core's input limits (<see cref="InputStep"/>); null when within them.</summary>
    public string? InputProblem { get; init; }

    /// <summary>When the function was created.</summary>
    public DateTimeOffset Created => Object.Metadata.CreationTimestamp is { } t ? Utc(t) : DateTimeOffset.MinValue;

    /// <summary>The pod of the current attempt while it is live (bound or not), else null.</summary>
    public ObservedPod? LivePod => State is Active active ? Pods.FirstOrDefault(p => p.Attempt.Name == active.Pod.Name) : null;

    /// <summary>
    /// The pod its unfinished status names for the current attempt when this pass does not see it (null otherwise). What
    /// is derived from its absence (the attempt ended: a retry, or a failure) is not yet known: after a takeover the new
    /// leader's pod watch can be behind its function watch. The status is written only once the API server confirms
    /// the pod is gone, and dependents are not failed by it.
    /// </summary>
    public string? UnseenRecordedPod =>
        Record is { Phase: { } recorded, PodName: { } podName } && !recorded.IsTerminal() && !Pods.Any(p => p.Pod.Name == podName)
            ? podName
            : null;

    /// <summary>The node it is or was placed on: its live pod's, its outcome's, or the one its status recorded.</summary>
    public string? PlacedNode => State switch
    {
        Active a => a.Pod.Node,
        Succeeded s => s.Node,
        Failed f => f.Node,
        _ => null,
    };

    /// <summary>The status as a record the lifecycle can read.</summary>
    public static StatusRecord RecordOf(HandoffFunctionStatus? status) => status is null
        ? StatusRecord.Empty
        : new StatusRecord
        {
            Phase = FunctionPhases.Parse(status.Phase),
            Attempts = Math.Max(0, status.Attempts),
            PodName = status.PodName,
            Node = status.Node,
            Result = status.Result,
            Reason = status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Scheduled)?.Reason is { } scheduledReason
                && (scheduledReason is Reasons.Preempted or Reasons.NodeRejected or Reasons.Retrying)
                ? scheduledReason
                : status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Completed && c.Status == ConditionStatus.True)?.Reason,
            Message = status.Message,
            RetryAfter = status.RetryAfter is { } retry ? Utc(retry) : null,
            StartTime = status.StartTime is { } start ? Utc(start) : null,
            CompletionTime = status.CompletionTime is { } done ? Utc(done) : null,
        };

    public static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
