namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Whether this replica may write now. With leader election, only while it can prove a fresh lease (its last renewal
/// is younger than the renew deadline, on the monotonic clock — so a replica that was paused past its lease finds out
/// before its first write, not after).
/// </summary>
public interface ILeaseFence
{
    bool IsFresh { get; }

    /// <summary>Throws <see cref="LeaseLostException"/> when the lease is not fresh.</summary>
    void ThrowIfStale();
}

/// <summary>Thrown before a write when the lease is not fresh: the pass stops, writes nothing more, and the term ends.</summary>
public sealed class LeaseLostException(string message) : Exception(message);
