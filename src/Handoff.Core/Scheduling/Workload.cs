using Handoff.Core.Allocation;

namespace Handoff.Core.Scheduling;

/// <summary>What a workload is: a HandoffFunction, or a plain pod that names Handoff as its scheduler.</summary>
public enum WorkloadKind
{
    Function,
    Pod,
}

/// <summary>
/// A ready, unplaced unit of work the scheduling cycle may place: a function's next attempt or a plain pod. Its
/// <see cref="Id"/> is <c>namespace/name</c> of the function or pod; <see cref="Holder"/> is the tracker key its
/// placement will be held under (the operator: the pod it will create, <c>namespace/pod</c>).
/// </summary>
public sealed record Workload(PlacementRequest Placement, AllocationStrategy Strategy, QueueOrderKey Order)
{
    public string Id => Placement.Id;

    public WorkloadKind Kind { get; init; } = WorkloadKind.Function;

    /// <summary>The tracker key the placement is held under; default the id.</summary>
    public string Holder
    {
        get => _holder ?? Placement.Id;
        init => _holder = value;
    }

    private readonly string? _holder;

    /// <summary>Higher goes first, and may preempt lower (api.md, "Queues", rules 1 and 4).</summary>
    public int Priority { get; init; }

    /// <summary>The HandoffQueue it is admitted through; null for the implicit queue (no quota, weight 1).</summary>
    public string? Queue { get; init; }

    /// <summary>The gang it belongs to: placed together with the gang's other ready members, or not at all.</summary>
    public GangRef? Gang { get; init; }

    /// <summary><c>preemptionPolicy: PreemptLowerPriority</c> (the default); false for <c>Never</c>.</summary>
    public bool MayPreempt { get; init; } = true;
}

/// <summary>
/// A gang as one member sees it: <see cref="Key"/> (<c>namespace/name</c>: the functions of a namespace that name the
/// same gang form it) and <see cref="MinMembers"/> (the largest any member declares).
/// </summary>
public sealed record GangRef(string Key, int MinMembers)
{
    /// <summary>The gang's name as users wrote it (the key without its namespace).</summary>
    public string Name => ObjectKeys.NameOf(Key);
}
