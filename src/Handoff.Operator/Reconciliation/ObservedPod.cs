using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Handoff.Operator.Controllers;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// A pod Handoff placed (it carries <c>handoff.dev/function</c>), as one pass sees it: the attempt it is, the function
/// that owns it (by UID; null for an orphan), the HandoffNode it holds capacity on and the cost it was placed with.
/// </summary>
public sealed record ObservedPod(PodRecord Pod, AttemptPod Attempt)
{
    /// <summary><c>namespace/name</c>: the tracker holder key of its placement.</summary>
    public required string Key { get; init; }

    /// <summary>The UID of the function that controls it; null when orphaned.</summary>
    public string? OwnerUid { get; init; }

    /// <summary>The HandoffNode it holds capacity on; null when none in use matches it.</summary>
    public string? HandoffNode { get; init; }

    /// <summary>The cost it was placed with (its <c>handoff.dev/cost</c> annotation); null when unknown.</summary>
    public ResourceList? Cost { get; init; }

    /// <summary>
    /// What it holds in the tracker (its cost on its HandoffNode, one <c>pods</c> more where the node counts pods), made
    /// with the observation; null when it holds nothing or its cost is not recorded (then its function's cost is used).
    /// </summary>
    public LivePlacement? Placement { get; init; }

    /// <summary>Live: not terminal. A live pod holds its capacity, terminating or not.</summary>
    public bool Live => !Attempt.IsTerminal;
}
