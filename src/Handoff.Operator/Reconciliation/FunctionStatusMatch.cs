using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Whether a function's status already shows a report, compared field by field: what most functions' statuses do in
/// every pass (and every one at a restart), so the pass needs neither the JSON comparison of
/// <see cref="StatusWriter.ToStatus"/>'s status nor a memo of each report to know there is nothing to write.
/// Conservative: true only when writing <see cref="StatusWriter.ToStatus"/> would change nothing (every field equal,
/// times to the tick and of the same kind, each condition's status unchanged so its lastTransitionTime is kept); any
/// doubt is false, and the writer compares the JSON as before.
/// </summary>
public static class FunctionStatusMatch
{
    public static bool Shows(HandoffFunctionStatus? status, FunctionReport report, long? generation)
    {
        ArgumentNullException.ThrowIfNull(report);
        return status is not null
            && status.Phase == report.Phase.Name()
            && status.Node == report.Node
            && status.NominatedNode is null
            && status.PodName == report.PodName
            && status.Attempts == report.Attempts
            && status.QueuePosition == report.QueuePosition
            && status.Result == report.Result
            && status.Message == report.Message
            && SameTime(status.RetryAfter, report.RetryAfter)
            && SameTime(status.StartTime, report.StartTime)
            && SameTime(status.CompletionTime, report.CompletionTime)
            && status.ObservedGeneration == generation
            && status.Conditions is { Count: 3 } conditions
            && Shows(conditions[0], report.DependenciesReady, generation)
            && Shows(conditions[1], report.Scheduled, generation)
            && Shows(conditions[2], report.Completed, generation);
    }

    private static bool Shows(HandoffCondition condition, ConditionReport report, long? generation) =>
        condition.Type == report.Type
        && condition.Status == (report.Status ? ConditionStatus.True : ConditionStatus.False)
        && condition.Reason == report.Reason
        && condition.Message == report.Message
        && condition.ObservedGeneration == generation
        && condition.LastTransitionTime is not null;

    private static bool SameTime(DateTime? written, DateTimeOffset? reported) =>
        written is null
            ? reported is null
            : reported is { } r && written.Value.Kind == DateTimeKind.Utc && written.Value.Ticks == r.UtcDateTime.Ticks;
}
