namespace Handoff.Chaos.Faults;

/// <summary>Every fault the chaos suite injects.</summary>
public enum FaultKind
{
    // Processes: the operator replicas.

    /// <summary>SIGKILL a replica (the leader, or at random the standby) at a random moment.</summary>
    KillAtRandom,

    /// <summary>SIGKILL the leader right after the API server accepted a pod it created (before it could bind it).</summary>
    KillAfterCreate,

    /// <summary>SIGKILL the leader right after the API server accepted one of its bindings (before it wrote the status).</summary>
    KillAfterBind,

    /// <summary>SIGTERM the leader at a random moment (it stops gracefully and releases its lease).</summary>
    TermAtRandom,

    /// <summary>SIGTERM the leader right after the API server accepted a pod it created.</summary>
    TermAfterCreate,

    /// <summary>SIGTERM the leader right after the API server accepted one of its bindings.</summary>
    TermAfterBind,

    /// <summary>SIGSTOP the leader for longer than its lease, then SIGCONT: the standby takes over meanwhile.</summary>
    PauseLeader,

    // The API server (the sandbox's admin endpoint, aimed at the operators' user agent).

    /// <summary>Open watch streams end (all, or those of one resource).</summary>
    WatchDrop,

    /// <summary>The watch history is expired and every watch ended, one to three times in a row: everyone re-lists.</summary>
    GoneStorm,

    /// <summary>Every matching request of the operators answers 500 for a while.</summary>
    ErrorBurst,

    /// <summary>Every matching request of the operators answers 429 (Retry-After: 1) for a while.</summary>
    ThrottleBurst,

    /// <summary>Every request of the operators is delayed for a while.</summary>
    Latency,

    // The cluster's objects, changed as a user would.

    /// <summary>A HandoffNode's capacity is cut (below what runs there, often), then restored.</summary>
    CapacityCut,

    /// <summary>A HandoffNode is cordoned (<c>spec.unschedulable</c>), then uncordoned.</summary>
    Cordon,

    /// <summary>A function is deleted (its pods go with it) and created again under the same name.</summary>
    DeleteAndRecreate,
}
