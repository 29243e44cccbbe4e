using Handoff.Core.Allocation;
using Handoff.Core.Resources;

namespace Handoff.Core.Scheduling;

/// <summary>A workload the cycle placed: it now holds <see cref="Held"/> on <see cref="Node"/> in the tracker.</summary>
public sealed record Placement(Workload Workload, string Node, ResourceList Held);

/// <summary>
/// A workload the cycle did not place, with the reason (<c>Reasons</c>: <c>FailedScheduling</c>, <c>Unschedulable</c>,
/// <c>WaitingForCollocation</c>, <c>QuotaExceeded</c>, <c>GangWaiting</c>, <c>BlockedByQueueHead</c>,
/// <c>Preempting</c>) and the message for its status; <see cref="Decision"/> is the allocator's, when one was asked.
/// </summary>
public sealed record Unplaced(Workload Workload, string Reason, AllocationDecision Decision)
{
    /// <summary>What blocks it, when the allocator's message does not say it (quota, gang, queue head, preemption).</summary>
    public string? Detail { get; init; }

    /// <summary>Its position (1 = next) among the unplaced workloads of its HandoffQueue; null in the implicit queue.</summary>
    public int? Position { get; init; }

    /// <summary>The node a preemptor waits for (its victims are being evicted there), as kube-scheduler's nominatedNodeName.</summary>
    public string? NominatedNode { get; init; }

    /// <summary>
    /// For status and Events: what blocks it, followed, for a workload of a HandoffQueue, by
    /// <c> (position 3 in queue team-a)</c>.
    /// </summary>
    public string Message => Position is { } position && Workload.Queue is { } queue
        ? $"{Cause} (position {position} in queue {queue})"
        : Cause;

    /// <summary>What blocks it, without its position (the Event's message: it does not change as the queue moves).</summary>
    public string Cause => Detail ?? Decision.Message;
}

/// <summary>
/// Workloads evicted so that <see cref="Preemptor"/> fits on <see cref="Node"/> (api.md, "Queues", rule 4): they are
/// still held; their pods are to be deleted, and they go back to Pending without using up an attempt.
/// </summary>
public sealed record Preemption(Workload Preemptor, string Node, IReadOnlyList<AdmittedWorkload> Victims)
{
    /// <summary>The Event message of each victim: <c>preempted by default/urgent (priority 1000) to make room on gpu-1</c>.</summary>
    public string VictimMessage => Lifecycle.Messages.PreemptedBy(Preemptor.Id, Preemptor.Priority, Node);
}

/// <summary>
/// A HandoffQueue after the cycle: <see cref="Pending"/> workloads waiting in it (ready, not placed), <see cref="Admitted"/>
/// holding capacity (before the cycle and placed by it), their <see cref="Usage"/> (effective costs) and the part of it
/// above quota (<see cref="Borrowed"/>).
/// </summary>
public sealed record QueueUsage(string Queue, int Pending, int Admitted, ResourceList Usage, ResourceList Borrowed);

/// <summary>The outcome of one cycle, each list in the order the cycle took the workloads.</summary>
public sealed record CycleResult(IReadOnlyList<Placement> Placed, IReadOnlyList<Unplaced> Unplaced)
{
    /// <summary>The evictions decided, in the order they were decided.</summary>
    public IReadOnlyList<Preemption> Preemptions { get; init; } = [];

    /// <summary>Every HandoffQueue of the input, in name order.</summary>
    public IReadOnlyList<QueueUsage> Queues { get; init; } = [];
}
