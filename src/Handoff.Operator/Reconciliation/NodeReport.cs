using Handoff.Core.Resources;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The status a pass wants a HandoffNode to have — a value: equal reports mean nothing to write. The amounts are kept
/// as resource lists, not maps or their text: a report per HandoffNode lives in the term's memos, and the maps' text
/// (what equality compared before) was two strings per node, ~0.6 MB of an idle operator's heap at 5,000 nodes.
/// </summary>
public sealed record NodeReport(int Functions, ConditionReport Ready, ConditionReport Overcommitted)
{
    /// <summary>Allocated per resource, kept as amounts (the maps below are made from them only when a status is written).</summary>
    public required ResourceList AllocatedAmounts { get; init; }

    /// <summary>Available per resource, never below 0.</summary>
    public required ResourceList AvailableAmounts { get; init; }

    /// <summary>The capacity the tracker holds for the node (written as the status's capacity for Node-backed nodes only).</summary>
    public required ResourceList TrackedCapacity { get; init; }

    /// <summary>What everyone else's pods request there (written for Node-backed nodes only).</summary>
    public required ResourceList External { get; init; }

    /// <summary>Whether the node's capacity comes from its Node: then the status says its capacity and what others hold.</summary>
    public bool NodeBacked { get; init; }

    /// <summary>The effective capacity, for Node-backed nodes (null otherwise: it is the spec's).</summary>
    public ResourceList? CapacityAmounts => NodeBacked ? TrackedCapacity : null;

    /// <summary>What everyone else's pods request, for Node-backed nodes.</summary>
    public ResourceList? ExternalAmounts => NodeBacked ? External : null;

    /// <summary>Allocated per resource (quantities), in resource-name order.</summary>
    public IReadOnlyDictionary<string, string> AllocatedMap => AllocatedAmounts.ToDictionary();

    /// <summary>Available per resource (quantities, never below 0), in resource-name order.</summary>
    public IReadOnlyDictionary<string, string> AvailableMap => AvailableAmounts.ToDictionary();

    public IReadOnlyDictionary<string, string>? CapacityMap => CapacityAmounts?.ToDictionary();

    public IReadOnlyDictionary<string, string>? ExternalMap => ExternalAmounts?.ToDictionary();

    /// <summary>The Warning Event this state deserves (a duplicate, an unusable spec, over-commitment); null for none.</summary>
    public EventReport? Event { get; init; }

    /// <summary>Equal reports mean nothing to write: the amounts are compared by value (equal amounts write equal maps).</summary>
    public bool Equals(NodeReport? other) =>
        other is not null && AllocatedAmounts == other.AllocatedAmounts && AvailableAmounts == other.AvailableAmounts &&
        TrackedCapacity == other.TrackedCapacity && External == other.External && NodeBacked == other.NodeBacked &&
        Functions == other.Functions && Ready == other.Ready && Overcommitted == other.Overcommitted && Event == other.Event;

    public override int GetHashCode() => HashCode.Combine(AllocatedAmounts, AvailableAmounts, TrackedCapacity, Functions, Ready, Overcommitted, Event);
}
