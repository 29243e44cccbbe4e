using Handoff.Core.Allocation;
using Handoff.Core.Queueing;
using Handoff.Core.Tracking;

namespace Handoff.Core.Scheduling;

/// <summary>What one scheduling cycle starts from.</summary>
/// <param name="Nodes">The nodes to place on (eligibility facts; capacity is the tracker's).</param>
/// <param name="Tracker">Capacity and what is held now; the cycle allocates its placements in it.</param>
/// <param name="Pending">The ready, unplaced workloads, in any order.</param>
public sealed record CycleInput(NodeSet Nodes, IResourceTracker Tracker, IReadOnlyList<Workload> Pending)
{
    /// <summary>
    /// Where workloads placed before this cycle are or were: workload id → node (held now, or finished there). Collocation
    /// targets are looked up here.
    /// </summary>
    public IReadOnlyDictionary<string, string>? KnownPlacements { get; init; }

    /// <summary>Allocator per strategy; default <see cref="Allocators.For"/>.</summary>
    public Func<AllocationStrategy, IAllocator>? Allocators { get; init; }

    /// <summary>The active HandoffQueues by name (workloads were checked against them: <see cref="QueueAdmission"/>).</summary>
    public IReadOnlyDictionary<string, QueueQuota>? Queues { get; init; }

    /// <summary>What holds capacity now: counted for quota and fair share, and the candidates for preemption.</summary>
    public IReadOnlyList<AdmittedWorkload> Admitted { get; init; } = [];

    /// <summary>The gangs: minMembers and the members placed before this cycle.</summary>
    public GangBook? Gangs { get; init; }
}

/// <summary>
/// The one scheduling cycle of Handoff, shared by the operator (one per reconcile pass) and the planner (one per
/// simulated instant). Pure apart from the allocations it makes in the input's tracker. The rules are api.md's
/// "What the operator does" (rule 2) and "Queues, priorities, gangs, preemption" (rules 1–4); docs/queues.md explains them.
/// </summary>
/// <remarks>
/// The steps, in order:
/// <list type="number">
/// <item><b>Order</b> (rule 1): priority levels from the highest; within a level, the queue (a HandoffQueue, or the
/// implicit queue of workloads naming none) whose weighted dominant share is lowest goes next — shares move as the cycle
/// admits; within a queue, <see cref="QueueOrderKey"/> (ready time, creation, id).</item>
/// <item><b>Collocation</b>: the node its <c>collocateWith</c> target was placed on earlier in this cycle or before it
/// (<see cref="CycleInput.KnownPlacements"/>); without one it waits (<c>WaitingForCollocation</c>).</item>
/// <item><b>Quota</b> (rule 2): its queue's usage plus its cost must stay within quota, or quota plus what it may
/// borrow (<see cref="QuotaSnapshot"/>); else <c>QuotaExceeded</c>.</item>
/// <item><b>Allocate</b>: its strategy's allocator chooses an eligible node that fits; the cost (plus one pod where the
/// node counts pods) is allocated under the workload's holder key. A gang's ready members are chosen nodes together on
/// a <see cref="CapacityOverlay"/> and allocated in one tracker transaction, or none is (rule 3).</item>
/// <item><b>Preempt</b> (rule 4): one that fits nowhere and may preempt looks for victims
/// (<see cref="PreemptionSearch"/>); it is not placed in this cycle but waits for them to leave.</item>
/// <item>One that is not placed does not block the ones behind it, unless its queue is StrictFIFO
/// (<c>BlockedByQueueHead</c>).</item>
/// </list>
/// Within one cycle the tracker only fills up, so a decision that failed for one request shape (cost, constraints,
/// strategy) is reused for later requests of the same shape until something is allocated: workloads waiting for room
/// cost a dictionary lookup, not a decision. With one queue, no quota, one priority and no gangs, the cycle decides
/// exactly as the first round's FIFO cycle.
/// </remarks>
public static class SchedulingCycle
{
    public static CycleResult Run(CycleInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new CycleRun(input).Run(cancellationToken);
    }
}
