using Handoff.Core.Scheduling;

namespace Handoff.Core.Planning;

/// <summary>Where a function is in the planner's simulation.</summary>
internal enum PlanStatus
{
    Idle,
    Running,
    Succeeded,
    Failed,
    Unschedulable,
}

/// <summary>A function's mutable state during the planner's simulation: its last attempt and its outcome so far.</summary>
internal sealed class PlanState
{
    public PlanStatus Status { get; set; }

    public string? Node { get; set; }

    public int Attempts { get; set; }

    public TimeSpan? Start { get; set; }

    public TimeSpan? End { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public PendingPlacement? Pending { get; set; }

    /// <summary>The function's plan in <paramref name="phase"/>; reason and message default to the state's own.</summary>
    public FunctionPlan ToPlan(string id, PlanPhase phase, string? reason = null, string? message = null) =>
        new(id, phase, Node, Attempts, Start, End, reason ?? Reason ?? phase.ToString(), message ?? Message ?? "");
}
