using Handoff.Core.Allocation;
using Handoff.Core.Resources;

namespace Handoff.Core.Tracking.Indexing;

/// <summary>
/// A thread-safe <see cref="IResourceTracker"/> with exactly <see cref="SimpleResourceTracker"/>'s behaviour (it
/// delegates every operation to one) that also keeps a dense capacity table and a max-available segment tree over
/// the nodes in name order, and answers the <see cref="ICapacityQuery"/> questions from it: the first fitting node by a
/// tree descent instead of reading every node before it, and the best-scored one from a dense table instead of
/// per-node dictionaries. The answers are the same as <see cref="SimpleResourceTracker"/>'s.
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
    private HashSet<string>? _journal;
    private bool _nodesChanged;
    private readonly HashSet<string> _changedNodes = new(StringComparer.Ordinal);
    private bool _everyNodeChanged = true;

    /// <summary>
    /// The nodes whose capacity or usage changed (or that were set or removed) since the last call; null the first time
    /// (then any may have). A reader that keeps what it made of each node's usage makes again only these.
    /// </summary>
    public IReadOnlySet<string>? TakeChangedNodes()
    {
        lock (_lock)
        {
            if (_everyNodeChanged)
            {
                _everyNodeChanged = false;
                _changedNodes.Clear();
                return null;
            }

            var changed = _changedNodes.ToHashSet(StringComparer.Ordinal);
            _changedNodes.Clear();
            return changed;
        }
    }

    /// <summary>
    /// Starts noting, from now on, which holders are allocated, adopted or released and whether a node is set or removed
    /// (what was noted before is dropped): what <see cref="TrackerSync.ApplyChanges"/> must look at again besides the
    /// placements it is told changed.
    /// </summary>
    public void StartJournal()
    {
        lock (_lock)
        {
            (_journal ??= new HashSet<string>(StringComparer.Ordinal)).Clear();
            _nodesChanged = false;
        }
    }

    /// <summary>
    /// What changed since <see cref="StartJournal"/>, and stops noting; null when noting was never started or was stopped
    /// since.
    /// </summary>
    public TrackerJournal? StopJournal()
    {
        lock (_lock)
        {
            if (_journal is not { } journal)
            {
                return null;
            }

            _journal = null;
            return new TrackerJournal(journal, _nodesChanged);
        }
    }

    public void SetNode(string node, ResourceList capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        lock (_lock)
        {
            var known = _inner.TryGetCapacity(node, out _, out _);
            _inner.SetNode(node, capacity);
            _nodesChanged = true;
            _changedNodes.Add(node);
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
            _nodesChanged = true;
            _changedNodes.Add(node);
            _index.Invalidate();
            return holders;
        }
    }

    public IReadOnlyList<string> Nodes => _inner.Nodes;

    public bool TryAllocate(string node, ResourceList cost, string holder)
    {
        lock (_lock)
        {
            if (!_inner.TryAllocate(node, cost, holder))
            {
                return false;
            }

            _journal?.Add(holder);
            Refresh(node);
            return true;
        }
    }

    public bool TryAllocateAll(IReadOnlyList<TrackedAllocation> allocations)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        lock (_lock)
        {
            if (!_inner.TryAllocateAll(allocations))
            {
                return false;
            }

            foreach (var allocation in allocations)
            {
                _journal?.Add(allocation.Holder);
            }

            foreach (var node in allocations.Select(a => a.Node).Distinct(StringComparer.Ordinal))
            {
                Refresh(node);
            }

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

            _journal?.Add(holder);
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

            _journal?.Add(holder);
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
        _changedNodes.Add(node);
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

    public string? FirstFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(eligible);
        lock (_lock)
        {
            EnsureIndex();
            if (!_index.TryGetNeed(cost, out var need))
            {
                return null;
            }

            var rowNodes = _index.RowNodes(nodes);
            for (var row = _index.FirstFit(need, 0); row >= 0; row = _index.FirstFit(need, row + 1))
            {
                if (rowNodes[row] is { } node && eligible(node))
                {
                    return node.Name;
                }
            }

            return null;
        }
    }

    public string? BestFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, FreeFractionPreference preference)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(eligible);
        lock (_lock)
        {
            EnsureIndex();
            if (!_index.TryGetNeed(cost, out var need))
            {
                return null;
            }

            var bestRow = _index.BestScoredRow(_index.RowNodes(nodes), need, eligible, preference);
            return bestRow < 0 ? null : _index.NameOf(bestRow);
        }
    }
}
