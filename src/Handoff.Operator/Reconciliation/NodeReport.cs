using Handoff.Core.Resources;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The status a pass wants a HandoffNode to have — a value: equal reports mean nothing to write. <see cref="Allocated"/>
/// and <see cref="Available"/> are the maps as text (allocated, capacity and external; available), what equality compares;
/// the amounts are kept as resource lists, not maps: a report per HandoffNode lives in the term's memos.
/// </summary>
public sealed record NodeReport(string Allocated, string Available, int Functions, ConditionReport Ready, ConditionReport Overcommitted)
{
    /// <summary>Allocated per resource, kept as amounts (the maps below are made from them only when a status is written).</summary>
    public required ResourceList AllocatedAmounts { get; init; }

    /// <summary>Available per resource, never below 0.</summary>
    public required ResourceList AvailableAmounts { get; init; }

    /// <summary>The effective capacity, for Node-backed nodes (null otherwise: it is the spec's).</summary>
    public ResourceList? CapacityAmounts { get; init; }

    /// <summary>What everyone else's pods request, for Node-backed nodes.</summary>
    public ResourceList? ExternalAmounts { get; init; }

    /// <summary>Allocated per resource (quantities), in resource-name order.</summary>
    public IReadOnlyDictionary<string, string> AllocatedMap => AllocatedAmounts.ToDictionary();

    /// <summary>Available per resource (quantities, never below 0), in resource-name order.</summary>
    public IReadOnlyDictionary<string, string> AvailableMap => AvailableAmounts.ToDictionary();

    public IReadOnlyDictionary<string, string>? CapacityMap => CapacityAmounts?.ToDictionary();

    public IReadOnlyDictionary<string, string>? ExternalMap => ExternalAmounts?.ToDictionary();

    /// <summary>The Warning Event this state deserves (a duplicate, an unusable spec, over-commitment); null for none.</summary>
    public EventReport? Event { get; init; }

    /// <summary>Equal reports mean nothing to write: the maps are compared through their text (<see cref="Allocated"/>, <see cref="Available"/>).</summary>
    public bool Equals(NodeReport? other) =>
        other is not null && Allocated == other.Allocated && Available == other.Available && Functions == other.Functions &&
        Ready == other.Ready && Overcommitted == other.Overcommitted && Event == other.Event;

    public override int GetHashCode() => HashCode.Combine(Allocated, Available, Functions, Ready, Overcommitted, Event);
}
