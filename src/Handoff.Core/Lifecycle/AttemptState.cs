namespace Handoff.Core.Lifecycle;

/// <summary>
/// Where a function's attempts stand, derived by <see cref="FunctionLifecycle"/> from its pods and its status record.
/// Dependencies and placement are decided apart from it (the DAG, the scheduling cycle).
/// </summary>
public abstract record AttemptState
{
    /// <summary>Attempts used so far (the current attempt's number; 0 before the first).</summary>
    public required int Attempts { get; init; }

    /// <summary>True when the function is finished for good.</summary>
    public virtual bool IsTerminal => false;
}

/// <summary>
/// No pod is live: the function may be placed once its dependencies allow. <see cref="Attempt"/> is the number its
/// next pod gets (a re-placement after a kubelet rejection or a preemption keeps the current number).
/// <see cref="Reason"/>/<see cref="Message"/> say why it is placed again (<c>Retrying</c>, <c>NodeRejected</c>,
/// <c>Preempted</c>), null for a first attempt; <see cref="ReadyAfter"/> is when the last back-off ended.
/// </summary>
public sealed record NotStarted(int Attempt) : AttemptState
{
    public string? Reason { get; init; }

    public string? Message { get; init; }

    public DateTimeOffset? ReadyAfter { get; init; }
}

/// <summary>
/// Attempt <see cref="AttemptState.Attempts"/> failed (<see cref="Reason"/> <c>Retrying</c>), or its pod was rejected by
/// the kubelet (<c>NodeRejected</c>, the same attempt is placed again); the next placement may happen at
/// <see cref="RetryAfter"/>.
/// </summary>
public sealed record BackingOff(DateTimeOffset RetryAfter, string Message) : AttemptState
{
    public string Reason { get; init; } = Reasons.Retrying;
}

/// <summary>
/// The current attempt's pod is live (created, possibly not bound yet) and holds capacity. A terminating pod stays
/// here until it is terminal or gone (<see cref="AttemptPod.Terminating"/>): its capacity is still held, and the next
/// attempt waits for it. <see cref="Preempted"/>: Handoff itself is deleting it to make room for a workload of higher
/// priority; the attempt will be made again without counting.
/// </summary>
public sealed record Active(AttemptPod Pod) : AttemptState
{
    public bool Preempted { get; init; }

    public string? PreemptionMessage { get; init; }
}

/// <summary>Terminal: attempt <see cref="AttemptState.Attempts"/> succeeded.</summary>
public sealed record Succeeded(string? Node, string? PodName, string? Result, DateTimeOffset CompletionTime) : AttemptState
{
    public override bool IsTerminal => true;
}

/// <summary>Terminal: retries exhausted, too many kubelet rejections, or recorded Failed earlier.</summary>
public sealed record Failed(string Reason, string Message, string? Node, string? PodName, DateTimeOffset CompletionTime) : AttemptState
{
    public override bool IsTerminal => true;
}
