using Handoff.Core.Allocation;
using Handoff.Core.Resources;

namespace Handoff.Core.Scheduling;

/// <summary>A workload the cycle placed: it now holds <see cref="Held"/> on <see cref="Node"/> in the tracker.</summary>
public sealed record Placement(Workload Workload, string Node, ResourceList Held);

/// <summary>
/// A workload the cycle did not place, with the reason (<c>Reasons</c>: <c>FailedScheduling</c>, <c>Unschedulable</c>,
/// <c>WaitingForCollocation</c>) and the message for its status; <see cref="Decision"/> is the allocator's, when one
/// was asked.
/// </summary>
public sealed record Unplaced(Workload Workload, string Reason, AllocationDecision Decision)
{
    public string Message => Decision.Message;
}

/// <summary>The outcome of one cycle, each list in the order the cycle took the workloads.</summary>
public sealed record CycleResult(IReadOnlyList<Placement> Placed, IReadOnlyList<Unplaced> Unplaced);
