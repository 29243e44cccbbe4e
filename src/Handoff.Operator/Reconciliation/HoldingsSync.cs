namespace Handoff.Operator.Reconciliation;

/// <summary>
/// What syncing the tracker with the live pods found to do: pods created but not bound whose capacity the tracker
/// could take again (bind them), and those whose capacity is gone (delete them — never leak one).
/// </summary>
public sealed record HoldingsSync(IReadOnlyList<(ObservedPod Pod, string HandoffNode)> ToBind, IReadOnlyList<ObservedPod> ToDelete)
{
    /// <summary>Nothing to bind or delete: what nearly every pass finds.</summary>
    public static HoldingsSync None { get; } = new([], []);
}
