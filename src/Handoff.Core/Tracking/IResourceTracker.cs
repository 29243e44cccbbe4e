using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>
/// Holds, per node, its capacity and the costs held by the functions ("holders") assigned to it.
/// Invariant kept by <see cref="TryAllocate"/>: for every node and resource, the sum of held costs never exceeds
/// the capacity at the time of the allocation. Implementations are thread-safe.
/// </summary>
/// <remarks>
/// Lowering a node's capacity below what is already allocated (<see cref="SetNode"/>) is allowed and corrupts
/// nothing: the node's available amount becomes negative, so nothing new fits there until enough is released.
/// <see cref="Adopt"/> likewise records an existing allocation without a capacity check (recovery from the cluster).
/// </remarks>
public interface IResourceTracker : ICapacityQuery
{
    /// <summary>Registers a node, or updates the capacity of a registered one (its allocations are kept).</summary>
    void SetNode(string node, ResourceList capacity);

    /// <summary>
    /// Removes a node. Allocations on it are dropped too; their holders are returned (in ordinal order) so the
    /// caller can deal with them. Returns an empty list for an unknown node.
    /// </summary>
    IReadOnlyList<string> RemoveNode(string node);

    /// <summary>Registered node names in ordinal order.</summary>
    IReadOnlyList<string> Nodes { get; }

    /// <summary>
    /// Atomically checks that <paramref name="cost"/> fits on <paramref name="node"/> and records it as held by
    /// <paramref name="holder"/>. Returns false (and changes nothing) when the node is unknown, the cost does not fit,
    /// or the holder already holds an allocation anywhere.
    /// </summary>
    bool TryAllocate(string node, ResourceList cost, string holder);

    /// <summary>
    /// A transaction: atomically checks that every allocation of <paramref name="allocations"/> fits (counting the ones
    /// before it in the list on the same node) and records them all — or, when any does not fit, names an unknown node,
    /// or has a holder that already holds something (or appears twice), records none. No other caller ever sees a part
    /// of it (a gang's members are placed this way).
    /// </summary>
    bool TryAllocateAll(IReadOnlyList<TrackedAllocation> allocations);

    /// <summary>
    /// Records an allocation that already exists (e.g. a bound, running pod found on start-up) without checking
    /// capacity, so a rebuilt tracker reflects the cluster even if capacity was lowered meanwhile. Returns false when
    /// the node is unknown or the holder already holds an allocation (that allocation is then left unchanged).
    /// </summary>
    bool Adopt(string node, ResourceList cost, string holder);

    /// <summary>Releases what <paramref name="holder"/> holds. Returns false (a no-op) for an unknown holder.</summary>
    bool Release(string holder);

    /// <summary>The node <paramref name="holder"/> holds capacity on, or null.</summary>
    string? NodeOf(string holder);

    /// <summary>The node's current usage, or null for an unknown node.</summary>
    NodeUsage? GetNode(string node);

    /// <summary>A consistent snapshot of every node's usage, in ordinal node order.</summary>
    IReadOnlyList<NodeUsage> Snapshot();

    /// <summary>A consistent snapshot of every allocation, in no particular order (every pass reads it whole: sorting it was
    /// a tenth of syncing the tracker at 15,000 pods).</summary>
    IReadOnlyList<TrackedAllocation> Allocations();

    /// <summary>What <paramref name="node"/> has available now (possibly negative), or null for an unknown node.</summary>
    ResourceList? Available(string node);
}
