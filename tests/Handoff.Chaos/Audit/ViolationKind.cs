namespace Handoff.Chaos.Audit;

/// <summary>What the auditor checks; each is a way the operator can be wrong.</summary>
public enum ViolationKind
{
    /// <summary>A binding made a node's live pods (bound, not terminal, terminating ones included) cost more than its capacity.</summary>
    OverCommit,

    /// <summary>A binding to a HandoffNode whose cordon the operator had acknowledged (status.observedGeneration).</summary>
    CordonIgnored,

    /// <summary>A pod bound again to another node, or created already bound.</summary>
    BoundTwice,

    /// <summary>A function (by owner UID) had two live pods at once.</summary>
    TwoLivePods,

    /// <summary>A bound function pod without the <c>handoff.dev/cost</c> annotation it was placed with, or on a node no HandoffNode names.</summary>
    UnaccountedPod,

    /// <summary>An operator replica wrote while another held the lease, or while nobody did.</summary>
    FencingBreach,

    /// <summary>A Succeeded or Failed function changed phase or result afterwards.</summary>
    TerminalRegression,

    /// <summary>A function ended (or did not end) otherwise than its code and dependencies dictate.</summary>
    WrongOutcome,

    /// <summary>A pod's <c>HANDOFF_ARGS</c> is not the results of its function's args followed by its extraArgs.</summary>
    WrongArgs,

    /// <summary>A HandoffNode's status does not come back to nothing held (allocated empty, functions 0) at the end.</summary>
    NodeNotReleased,

    /// <summary>An operator replica logged an exception that is a bug, not an answer of the API server, a lost lease or a cancellation.</summary>
    OperatorError,

    /// <summary>The cluster did not settle (every function terminal, every node released) within the convergence timeout.</summary>
    NotConverged,
}
