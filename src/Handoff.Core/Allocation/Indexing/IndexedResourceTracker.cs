using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Allocation.Indexing;

/// <summary>
/// A thread-safe <see cref="IResourceTracker"/> with exactly <see cref="SimpleResourceTracker"/>'s behaviour (it
/// delegates every operation to one) that also keeps a dense capacity table and a max-available segment tree over
/// the nodes in name order. The built-in allocators detect it and decide from the index: FirstAvailable finds the
/// first fitting node by a tree descent instead of reading every node before it, and LoadBalanced/BestFit score a
/// dense table instead of per-node dictionaries. Decisions are the same as with <see cref="SimpleResourceTracker"/>.
/// </summary>
/// <remarks>
/// Allocate, adopt and release update one row and its tree path (O(resources × log nodes)). Adding or removing a
/// node, or a resource name no node had, marks the layout stale; the next decision rebuilds it (O(nodes × resources)),
/// so registering many nodes in a row costs one rebuild. Decisions made through the index read a consistent snapshot
/// under the tracker's lock.
/// </remarks>
public sealed class IndexedResourceTracker : IResourceTracker
{
    private readonly Lock _lock = new();
    private readonly SimpleResourceTracker _inner = new();
    private readonly CapacityIndex _index = new();

    public void SetNode(string node, ResourceList capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        lock (_lock)
        {
            var known = _inner.TryGetCapacity(node, out _, out _);
            _inner.SetNode(node, capacity);
            if (known)
            {
                Refresh(node);
            }
            else
            {
                _index.Invalidate();
            }
        }
    }

    public IReadOnlyList<string> RemoveNode(string node)
    {
        lock (_lock)
        {
            var holders = _inner.RemoveNode(node);
            _index.Invalidate();
            return holders;
        }
    }

    public IReadOnlyList<string> Nodes => _inner.Nodes;

    public bool IsAvailable(string node, ResourceList cost) => _inner.IsAvailable(node, cost);

    public bool TryAllocate(string node, ResourceList cost, string holder)
    {
        lock (_lock)
        {
            if (!_inner.TryAllocate(node, cost, holder))
            {
                return false;
            }

            Refresh(node);
            return true;
        }
    }

    public bool Adopt(string node, ResourceList cost, string holder)
    {
        lock (_lock)
        {
            if (!_inner.Adopt(node, cost, holder))
            {
                return false;
            }

            Refresh(node);
            return true;
        }
    }

    public bool Release(string holder)
    {
        lock (_lock)
        {
            var node = _inner.NodeOf(holder);
            if (node is null || !_inner.Release(holder))
            {
                return false;
            }

            Refresh(node);
            return true;
        }
    }

    public string? NodeOf(string holder) => _inner.NodeOf(holder);

    public NodeUsage? GetNode(string node) => _inner.GetNode(node);

    public IReadOnlyList<NodeUsage> Snapshot() => _inner.Snapshot();

    public IReadOnlyList<TrackedAllocation> Allocations() => _inner.Allocations();

    public bool TryGetCapacity(string node, out ResourceList capacity, out ResourceList available) =>
        _inner.TryGetCapacity(node, out capacity, out available);

    public ResourceList? Available(string node) => _inner.Available(node);

    private void Refresh(string node)
    {
        if (!_index.Dirty && _inner.TryGetCapacity(node, out var capacity, out var available))
        {
            _index.Update(node, capacity, available);
        }
    }

    private void EnsureIndex()
    {
        if (_index.Dirty)
        {
            _index.Rebuild(_inner.Snapshot());
        }
    }

    /// <summary>
    /// FirstAvailable over the index: the first node in name order that is in <paramref name="nodes"/>, eligible for
    /// <paramref name="request"/> and has its cost available. For requests that are not pinned to a node.
    /// </summary>
    internal string? FirstAvailable(PlacementRequest request, NodeSet nodes)
    {
        lock (_lock)
        {
            EnsureIndex();
            if (!_index.TryGetNeed(request.Cost, out var need))
            {
                return null;
            }

            var rowNodes = _index.RowNodes(nodes, out var usable);
            for (var row = _index.FirstFit(need, 0); row >= 0; row = _index.FirstFit(need, row + 1))
            {
                if (usable[row] && AllocatorBase.IsEligible(request, rowNodes[row]!))
                {
                    return rowNodes[row]!.Name;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// The scoring strategies over the dense table: among the eligible nodes that fit, in name order, the one whose
    /// <see cref="AllocatorBase.FreeFractionAfter"/> <paramref name="allocator"/> prefers (ties: the first).
    /// </summary>
    internal string? BestScored(PlacementRequest request, NodeSet nodes, ScoringAllocator allocator)
    {
        lock (_lock)
        {
            EnsureIndex();
            if (!_index.TryGetNeed(request.Cost, out var need))
            {
                return null;
            }

            var rowNodes = _index.RowNodes(nodes, out var usable);
            var bestRow = _index.BestScoredRow(request, rowNodes, usable, need, allocator);
            return bestRow < 0 ? null : _index.NameOf(bestRow);
        }
    }
}
