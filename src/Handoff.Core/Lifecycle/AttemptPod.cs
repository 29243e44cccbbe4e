namespace Handoff.Core.Lifecycle;

/// <summary>A pod's phase, as Kubernetes reports it.</summary>
public enum PodPhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

/// <summary>
/// One of a function's pods, as the lifecycle needs it: which attempt it is, where it holds capacity, whether it is
/// bound, running, terminating or finished, and how it ended.
/// </summary>
public sealed record AttemptPod(string Name, int Attempt)
{
    /// <summary>The HandoffNode it was placed on (and holds capacity on while not terminal).</summary>
    public string? Node { get; init; }

    public bool Bound { get; init; }

    public PodPhase Phase { get; init; }

    /// <summary>Deletion requested (deletionTimestamp set): the pod still holds capacity until it is terminal or gone.</summary>
    public bool Terminating { get; init; }

    /// <summary>The pod's <c>status.reason</c> (e.g. <c>OutOfcpu</c>, <c>Evicted</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>The pod's <c>status.message</c>, or the first container's termination reason and exit code.</summary>
    public string? Message { get; init; }

    /// <summary>The first container's termination message (the function's result).</summary>
    public string? Result { get; init; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool IsTerminal => Phase is PodPhase.Succeeded or PodPhase.Failed;

    /// <summary>Rejected by the kubelet at admission: not a failure of the function's code.</summary>
    public bool IsKubeletRejection => Phase == PodPhase.Failed && KubeletRejections.IsRejection(Reason);
}
