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
    public static NodeReport For(HandoffNodeState node, NodeUsage? usage)
    {
        var allocated = usage?.Allocated ?? ResourceList.Empty;
        var available = usage?.Available ?? ResourceList.Empty;
        var over = available.Where(kv => kv.Value < 0).Select(kv => kv.Key).ToList();
        var clamped = ResourceList.FromMilli(available.Select(kv => KeyValuePair.Create(kv.Key, Math.Max(0, kv.Value))));
        var overcommitted = over.Count == 0
            ? new ConditionReport("Overcommitted", false, Reasons.WithinCapacity, "what runs here fits in the capacity")
            : new ConditionReport("Overcommitted", true, Reasons.Overcommitted, string.Join("; ", over.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r}: {Quantity(allocated, r)} allocated, capacity {Quantity(usage!.Capacity, r)}"))) + "; running work finishes, nothing new is placed here until it fits");
        var allocatedMap = allocated.ToDictionary();
        var availableMap = clamped.ToDictionary();
        return new NodeReport(Join(allocatedMap), Join(availableMap), usage?.Holders ?? 0,
            new ConditionReport("Ready", node.Ready, node.ReadyReason, node.ReadyMessage), overcommitted)
        {
            AllocatedMap = allocatedMap,
            AvailableMap = availableMap,
            Event = node.ReadyReason is Reasons.DuplicateNode or Reasons.InvalidSpec ? new EventReport("Warning", node.ReadyReason, node.ReadyMessage)
                : overcommitted.Status ? new EventReport("Warning", Reasons.Overcommitted, overcommitted.Message!)
                : null,
        };
    }

    private static string Quantity(ResourceList list, string resource) => list.ToDictionary().GetValueOrDefault(resource, "0");

    // The maps compared by value: NodeReport equality must not depend on dictionary identity.
    private static string Join(IReadOnlyDictionary<string, string> map) => string.Join(",", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
}
