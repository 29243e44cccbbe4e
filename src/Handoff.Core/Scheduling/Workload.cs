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
}
