namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Gives memory back once the operator goes quiet. The GC sizes its heap to the busiest moment it has seen (a start's
/// lists, a burst of placements) and keeps it committed while nothing allocates — an operator idle after a burst holds
/// its high-water mark for hours. When nothing has happened (no watch event, no pass) for <c>quietPeriod</c> and the
/// process has allocated at least <see cref="MinimumAllocatedBytes"/> since the last trim, one full, compacting
/// collection that decommits what it frees (<see cref="GCCollectionMode.Aggressive"/>, the runtime's mode for "the
/// app is going idle") runs. It runs only while quiet, so it never delays a pass; with nothing allocated since, it
/// does not run again. docs/performance.md, "Idle memory trim".
/// </summary>
public sealed class IdleMemoryTrim(TimeProvider time, TimeSpan quietPeriod, Func<long> allocatedBytes, Action collect)
{
    /// <summary>Less allocated than this since the last trim: not worth a full collection (lease renewals and scrapes allocate a little).</summary>
    public const long MinimumAllocatedBytes = 32L * 1024 * 1024;

    private long _lastActivity = time.GetTimestamp();
    private long _allocatedAtLastTrim;

    /// <summary>The aggressive collection the runtime offers for an app going idle.</summary>
    public static void CollectAggressively() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>Trims so far.</summary>
    public int Trims { get; private set; }

    public TimeSpan QuietPeriod => quietPeriod;

    /// <summary>Something happened (a watch event, a pass): the quiet period starts again.</summary>
    public void NoteActivity() => Interlocked.Exchange(ref _lastActivity, time.GetTimestamp());

    /// <summary>Whether a trim is due now: quiet for the whole period, and enough allocated since the last one.</summary>
    public bool IsDue() =>
        quietPeriod > TimeSpan.Zero
        && time.GetElapsedTime(Interlocked.Read(ref _lastActivity)) >= quietPeriod
        && allocatedBytes() - _allocatedAtLastTrim >= MinimumAllocatedBytes;

    /// <summary>Trims when due; true when it did.</summary>
    public bool TrimIfDue()
    {
        if (!IsDue())
        {
            return false;
        }

        collect();
        _allocatedAtLastTrim = allocatedBytes();
        Trims++;
        return true;
    }

    /// <summary>Checks every half quiet period until stopped; returns at once when trimming is off (a zero period).</summary>
    public async Task RunAsync(Action<TimeSpan>? trimmed, CancellationToken cancellationToken)
    {
        if (quietPeriod <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(quietPeriod / 2, time, cancellationToken);
                var started = time.GetTimestamp();
                if (TrimIfDue())
                {
                    trimmed?.Invoke(time.GetElapsedTime(started));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
