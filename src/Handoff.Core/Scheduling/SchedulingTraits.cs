namespace Handoff.Core.Scheduling;

/// <summary>
/// What a function's or plain pod's spec says about how it is queued (api.md, "Queues"): its HandoffQueue, its priority
/// as written (<c>spec.priority</c>, else the value of <see cref="PriorityClassName"/>, resolved by
/// <see cref="Queueing.QueueAdmission.Admit"/>), its gang and whether it may preempt.
/// </summary>
public sealed record SchedulingTraits
{
    /// <summary>No queue, priority 0, no gang, may preempt: the first round's behaviour.</summary>
    public static SchedulingTraits None { get; } = new();

    /// <summary>The HandoffQueue it names; null for the implicit queue.</summary>
    public string? Queue { get; init; }

    /// <summary><c>spec.priority</c> as written; null when it names none.</summary>
    public int? Priority { get; init; }

    /// <summary>The PriorityClass whose value is its priority when <see cref="Priority"/> is null.</summary>
    public string? PriorityClassName { get; init; }

    /// <summary>Its gang (key <c>namespace/name</c>, the minMembers it declares).</summary>
    public GangRef? Gang { get; init; }

    /// <summary><c>preemptionPolicy: PreemptLowerPriority</c> (the default); false for <c>Never</c>.</summary>
    public bool MayPreempt { get; init; } = true;
}
