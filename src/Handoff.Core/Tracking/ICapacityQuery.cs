using Handoff.Core.Allocation;
using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>Which free fraction a scoring choice prefers.</summary>
public enum FreeFractionPreference
{
    /// <summary>The node left the most free (LoadBalanced).</summary>
    Highest,

    /// <summary>The node left the least free (BestFit, bin-packing).</summary>
    Lowest,
}

/// <summary>
/// The questions allocators ask about capacity. A plain tracker answers them by scanning the nodes; an indexed one
/// from its index — with the same answers, so allocators never need to know which they talk to.
/// </summary>
public interface ICapacityQuery
{
    /// <summary>
    /// The node's registered capacity and what it has available now (capacity − allocated, possibly negative).
    /// False for an unknown node.
    /// </summary>
    bool TryGetCapacity(string node, out ResourceList capacity, out ResourceList available);

    /// <summary>
    /// The first node of <paramref name="nodes"/> (name order) that this tracker knows, whose available capacity covers
    /// <paramref name="cost"/>, and that <paramref name="eligible"/> accepts (asked only of nodes that fit); null if none.
    /// </summary>
    string? FirstFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible);

    /// <summary>
    /// Among the nodes of <paramref name="nodes"/> this tracker knows that fit <paramref name="cost"/> and that
    /// <paramref name="eligible"/> accepts, the one whose <see cref="FreeFraction.After"/> <paramref name="preference"/>
    /// puts first; ties go to the first in name order. Null if none.
    /// </summary>
    string? BestFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, FreeFractionPreference preference);
}
