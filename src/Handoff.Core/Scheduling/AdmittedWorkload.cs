using Handoff.Core.Resources;

namespace Handoff.Core.Scheduling;

/// <summary>
/// A workload that holds capacity now (a live pod Handoff placed): it counts for its queue's usage, and — unless it is
/// already on its way out — it may be evicted by a workload of higher priority, or by its cohort taking back quota it
/// borrowed. <see cref="Holder"/> is its tracker key; <see cref="Cost"/> its effective cost (what quota counts; the
/// tracker may hold one <c>pods</c> more).
/// </summary>
public sealed record AdmittedWorkload(string Id, string Holder, string Node, ResourceList Cost)
{
    public WorkloadKind Kind { get; init; } = WorkloadKind.Function;

    public int Priority { get; init; }

    /// <summary>Its HandoffQueue; null for the implicit queue.</summary>
    public string? Queue { get; init; }

    /// <summary>The key of its gang: evicted together with the gang's other admitted members, or not at all.</summary>
    public string? Gang { get; init; }

    /// <summary>
    /// Already leaving (its pod is terminating, or it was preempted and its pod is being deleted): never chosen again,
    /// and what it holds counts as soon free when a preemptor looks for room.
    /// </summary>
    public bool Terminating { get; init; }

    /// <summary>False for what must never be evicted (an orphaned pod, a pod Handoff cannot attribute).</summary>
    public bool Preemptible { get; init; } = true;
}
