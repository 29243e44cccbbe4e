using System.Globalization;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 8 of a pass for nodes (pure): what a HandoffNode's status should say — what its live pods hold, what is left
/// (never below 0: the API refuses negative quantities), and whether it is Ready and over-committed. Over-commitment
/// happens only when capacity is cut below what runs: running work finishes, nothing new is placed until it fits.
/// </summary>
public static class NodeStatusStep
{
    // One instance for every node it describes (nearly all of them): a report per node lives in the term's memos.
    private static readonly ConditionReport WithinCapacity = new("Overcommitted", false, Reasons.WithinCapacity, "what runs here fits in the capacity");

    /// <param name="node">The HandoffNode.</param>
    /// <param name="usage">What the tracker holds on it (null when it is not used).</param>
    /// <param name="external">What everyone else's pods hold there (Node-backed capacity only; part of <paramref name="usage"/>).</param>
    public static NodeReport For(HandoffNodeState node, NodeUsage? usage, ResourceList? external = null)
    {
        external ??= ResourceList.Empty;
        var allocated = (usage?.Allocated ?? ResourceList.Empty).Subtract(external).Filter(static (_, amount) => amount != 0);
        var available = usage?.Available ?? ResourceList.Empty;
        var over = available.Where(kv => kv.Value < 0).Select(kv => kv.Key).ToList();
        var clamped = ResourceList.FromMilli(available.Select(kv => KeyValuePair.Create(kv.Key, Math.Max(0, kv.Value))));
        var overcommitted = over.Count == 0
            ? WithinCapacity
            : new ConditionReport("Overcommitted", true, Reasons.Overcommitted, string.Join("; ", over.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r}: {Quantity(allocated, r)} allocated, capacity {Quantity(usage!.Capacity, r)}"))) + "; running work finishes, nothing new is placed here until it fits");
        return new NodeReport((usage?.Holders ?? 0) - (external.Count > 0 ? 1 : 0),
            new ConditionReport("Ready", node.Ready, node.ReadyReason, node.ReadyMessage), overcommitted)
        {
            AllocatedAmounts = allocated,
            AvailableAmounts = clamped,
            TrackedCapacity = usage?.Capacity ?? ResourceList.Empty,
            External = external,
            NodeBacked = node.Info?.CountsPods == true,
            Event = node.ReadyReason is Reasons.DuplicateNode or Reasons.InvalidSpec ? new EventReport("Warning", node.ReadyReason, node.ReadyMessage)
                : overcommitted.Status ? new EventReport("Warning", Reasons.Overcommitted, overcommitted.Message!)
                : null,
        };
    }

    private static string Quantity(ResourceList list, string resource) => list.ToDictionary().GetValueOrDefault(resource, "0");
}
