namespace Handoff.Benchmarks.EndToEnd;

/// <summary>How the operator that binds after the failover comes to lead.</summary>
public enum FailoverMode
{
    /// <summary>The only operator (no leader election) was killed; a new process starts with cold caches (a Recreate rollout, a crash and restart).</summary>
    Restart,

    /// <summary>The leader gets SIGTERM and releases its Lease; a standby with warm caches takes over (a rolling update, a drained node).</summary>
    StandbyGraceful,

    /// <summary>The leader gets SIGKILL and its Lease is left to expire; a standby with warm caches takes over (a crash, a lost node).</summary>
    StandbyKilled,
}
