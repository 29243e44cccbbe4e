namespace Handoff.Core.Scheduling;

/// <summary>
/// Where a ready workload stands in its queue (api.md, "What the operator does", rule 2): the time it became ready
/// (its creation, the success of its last arg, or the end of its retry back-off), then its creation, then its
/// <c>namespace/name</c> id. Times are kept to whole seconds, the precision the API records them with, so that the
/// planner — whose clock is exact — orders exactly as the operator, which reads them from the API.
/// </summary>
public readonly record struct QueueOrderKey : IComparable<QueueOrderKey>
{
    public QueueOrderKey(DateTimeOffset readySince, DateTimeOffset created, string id)
    {
        ReadySince = TruncateToSeconds(readySince);
        Created = TruncateToSeconds(created);
        Id = id ?? throw new ArgumentNullException(nameof(id));
    }

    public DateTimeOffset ReadySince { get; }

    public DateTimeOffset Created { get; }

    public string Id { get; }

    /// <summary>The time a workload became ready: the latest of its creation, its args' successes and its back-off's end.</summary>
    public static DateTimeOffset ReadyTime(DateTimeOffset created, IEnumerable<DateTimeOffset?> argsSucceeded, DateTimeOffset? retryAfter)
    {
        var ready = created;
        foreach (var at in argsSucceeded)
        {
            if (at is { } t && t > ready)
            {
                ready = t;
            }
        }

        return retryAfter is { } r && r > ready ? r : ready;
    }

    public int CompareTo(QueueOrderKey other)
    {
        var c = ReadySince.CompareTo(other.ReadySince);
        if (c == 0)
        {
            c = Created.CompareTo(other.Created);
        }

        return c != 0 ? c : string.CompareOrdinal(Id, other.Id);
    }

    public static bool operator <(QueueOrderKey left, QueueOrderKey right) => left.CompareTo(right) < 0;

    public static bool operator >(QueueOrderKey left, QueueOrderKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(QueueOrderKey left, QueueOrderKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(QueueOrderKey left, QueueOrderKey right) => left.CompareTo(right) >= 0;

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
