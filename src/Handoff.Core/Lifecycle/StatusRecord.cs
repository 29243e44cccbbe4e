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

    // The times are kept as UTC ticks (NoTime: none), not as DateTimeOffset? (24 bytes each): a record is kept for
    // every function the operator knows, and three of those were a third of it.
    private const long NoTime = long.MinValue;
    private readonly long _retryAfter = NoTime;
    private readonly long _startTime = NoTime;
    private readonly long _completionTime = NoTime;

    /// <summary>In UTC (a time given with another offset is kept as the same instant).</summary>
    public DateTimeOffset? RetryAfter { get => Time(_retryAfter); init => _retryAfter = Ticks(value); }

    /// <summary>In UTC, as <see cref="RetryAfter"/>.</summary>
    public DateTimeOffset? StartTime { get => Time(_startTime); init => _startTime = Ticks(value); }

    /// <summary>In UTC, as <see cref="RetryAfter"/>.</summary>
    public DateTimeOffset? CompletionTime { get => Time(_completionTime); init => _completionTime = Ticks(value); }

    private static long Ticks(DateTimeOffset? time) => time is { } t ? t.UtcTicks : NoTime;

    private static DateTimeOffset? Time(long ticks) => ticks == NoTime ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
