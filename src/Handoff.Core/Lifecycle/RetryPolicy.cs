namespace Handoff.Core.Lifecycle;

/// <summary>
/// How failed attempts are retried (api.md rule 4): while the failed attempt's number is at most
/// <see cref="MaxRetries"/>, after a back-off of <see cref="InitialBackoff"/> doubling per failed attempt, capped at
/// <see cref="MaxBackoff"/>.
/// </summary>
public sealed record RetryPolicy(int MaxRetries)
{
    public static readonly TimeSpan DefaultInitialBackoff = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromMinutes(5);

    public TimeSpan InitialBackoff { get; init; } = DefaultInitialBackoff;

    public TimeSpan MaxBackoff { get; init; } = DefaultMaxBackoff;

    /// <summary>Whether attempt number <paramref name="failedAttempt"/> failing leaves a retry.</summary>
    public bool Retries(int failedAttempt) => failedAttempt <= MaxRetries;

    /// <summary>The back-off after attempt number <paramref name="failedAttempt"/> failed.</summary>
    public TimeSpan Backoff(int failedAttempt) => new ExponentialBackoff(InitialBackoff, MaxBackoff).For(failedAttempt);
}
