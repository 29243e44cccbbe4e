namespace Handoff.Chaos.Audit;

/// <summary>
/// What a pause showed: whether another replica took over while it lasted (its first write between SIGSTOP and SIGCONT), and how many writes the
/// paused replica made after that write and before it held the lease again (must be 0).
/// </summary>
public sealed record PauseFencing(PauseEpisode Episode, long? TakeoverAt, string? NewLeader, int WritesAfterTakeover);
