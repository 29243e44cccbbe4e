namespace Handoff.Core;

/// <summary>
/// The one exponential back-off of Handoff: <see cref="Initial"/> at step 1, doubling per step, capped at
/// <see cref="Max"/>. Retries of failed attempts (10 s → 5 min), the work queue's per-key rate limit and the informers'
/// reconnects each use one with their own bounds.
/// </summary>
public readonly record struct ExponentialBackoff(TimeSpan Initial, TimeSpan Max)
{
    /// <summary>The delay before step <paramref name="step"/> (1 = the first retry).</summary>
    public TimeSpan For(int step)
    {
        var ticks = Initial.Ticks * Math.Pow(2, Math.Clamp(step - 1, 0, 62));
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
