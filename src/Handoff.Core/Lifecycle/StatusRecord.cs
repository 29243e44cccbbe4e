namespace Handoff.Core.Lifecycle;

/// <summary>
/// What a function's status recorded in an earlier pass. Pods are the truth while they exist; this record speaks only
/// for what pods can no longer tell: the outcome of an attempt whose pod is gone (collected, deleted, evicted), the
/// back-off of a failed attempt, an attempt that was preempted, and a terminal outcome.
/// </summary>
public sealed record StatusRecord
{
    public static StatusRecord Empty { get; } = new();

    public FunctionPhase? Phase { get; init; }

    public int Attempts { get; init; }

    public string? PodName { get; init; }

    public string? Node { get; init; }

    public string? Result { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }

    public DateTimeOffset? RetryAfter { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? CompletionTime { get; init; }
}
