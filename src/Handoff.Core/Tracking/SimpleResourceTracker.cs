using Handoff.Core.Allocation;
using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>
/// A thread-safe <see cref="IResourceTracker"/> guarded by a single lock. Every operation is O(resources) except
/// the listings of nodes and snapshots, which copy (and sort) all nodes.
/// </summary>
public sealed class SimpleResourceTracker : IResourceTracker
{
    private readonly Lock _lock = new();
    // A hash map, not a sorted one: every allocation, release and node read looks a node up (a sorted map's lookup is
    // ~13 string comparisons at 5,000 nodes); the two listings that promise name order sort when asked.
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackedAllocation> _holders = new(StringComparer.Ordinal);

    public void SetNode(string node, ResourceList capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(capacity);
        lock (_lock)
        {
            if (_nodes.TryGetValue(node, out var state))
            {
                state.Capacity = capacity;
                state.Available = capacity.Subtract(state.Allocated);
            }
            else
            {
                _nodes[node] = new NodeState(capacity);
            }
        }
    }

    public IReadOnlyList<string> RemoveNode(string node)
    {
        lock (_lock)
        {
            if (!_nodes.Remove(node, out var state))
            {
                return [];
            }

            var holders = state.Holders.Order(StringComparer.Ordinal).ToList();
            foreach (var holder in holders)
            {
                _holders.Remove(holder);
            }

            return holders;
        }
    }

    public IReadOnlyList<string> Nodes
    {
        get
        {
            lock (_lock)
            {
                return [.. _nodes.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    public bool TryAllocate(string node, ResourceList cost, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentNullException.ThrowIfNull(cost);
        lock (_lock)
        {
            if (_holders.ContainsKey(holder) || !_nodes.TryGetValue(node, out var state) || !cost.FitsIn(state.Available))
            {
                return false;
            }

            Hold(node, state, cost, holder);
            return true;
        }
    }

    public bool TryAllocateAll(IReadOnlyList<TrackedAllocation> allocations)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        lock (_lock)
        {
            var extra = new Dictionary<string, ResourceList>(StringComparer.Ordinal);
            var holders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in allocations)
            {
                ArgumentException.ThrowIfNullOrEmpty(a.Holder);
                if (!holders.Add(a.Holder) || _holders.ContainsKey(a.Holder) || !_nodes.TryGetValue(a.Node, out var state))
                {
                    return false;
                }

                var taken = extra.TryGetValue(a.Node, out var before) ? before.Add(a.Cost) : a.Cost;
                if (!taken.FitsIn(state.Available))
                {
                    return false;
                }

                extra[a.Node] = taken;
            }

            foreach (var a in allocations)
            {
                Hold(a.Node, _nodes[a.Node], a.Cost, a.Holder);
            }

            return true;
        }
    }

    public bool Adopt(string node, ResourceList cost, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentNullException.ThrowIfNull(cost);
        lock (_lock)
        {
            if (_holders.ContainsKey(holder) || !_nodes.TryGetValue(node, out var state))
            {
                return false;
            }

            Hold(node, state, cost, holder);
            return true;
        }
    }

    private void Hold(string node, NodeState state, ResourceList cost, string holder)
    {
        state.Allocated = state.Allocated.Add(cost);
        state.Available = state.Capacity.Subtract(state.Allocated);
        state.Holders.Add(holder);
        _holders[holder] = new TrackedAllocation(holder, node, cost);
    }

    public bool Release(string holder)
    {
        lock (_lock)
        {
            if (!_holders.Remove(holder, out var allocation))
            {
                return false;
            }

            // The node is always present: RemoveNode drops its holders.
            var state = _nodes[allocation.Node];
            state.Holders.Remove(holder);
            if (state.Holders.Count == 0)
            {
                // Back to exactly the registered capacity (no leftover zero entries).
                state.Allocated = ResourceList.Empty;
                state.Available = state.Capacity;
            }
            else
            {
                state.Allocated = state.Allocated.Subtract(allocation.Cost);
                state.Available = state.Capacity.Subtract(state.Allocated);
            }

            return true;
        }
    }

    public string? NodeOf(string holder)
    {
        lock (_lock)
        {
            return _holders.TryGetValue(holder, out var a) ? a.Node : null;
        }
    }

    public NodeUsage? GetNode(string node)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(node, out var state) ? state.ToUsage(node) : null;
        }
    }

    public ResourceList? Available(string node)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(node, out var state) ? state.Available : null;
        }
    }

    public bool TryGetCapacity(string node, out ResourceList capacity, out ResourceList available)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node, out var state))
            {
                capacity = state.Capacity;
                available = state.Available;
                return true;
            }
        }

        capacity = ResourceList.Empty;
        available = ResourceList.Empty;
        return false;
    }

    public string? FirstFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(eligible);
        foreach (var node in nodes)
        {
            if (TryGetCapacity(node.Name, out _, out var available) && cost.FitsIn(available) && eligible(node))
            {
                return node.Name;
            }
        }

        return null;
    }

    public string? BestFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, FreeFractionPreference preference)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(eligible);
        string? bestNode = null;
        var best = default(Fraction);
        foreach (var node in nodes)
        {
            if (!TryGetCapacity(node.Name, out var capacity, out var available) || !cost.FitsIn(available) || !eligible(node))
            {
                continue;
            }

            var score = FreeFraction.After(cost, capacity, available);
            if (bestNode is null || preference.Prefers(score, best))
            {
                bestNode = node.Name;
                best = score;
            }
        }

        return bestNode;
    }

    public IReadOnlyList<NodeUsage> Snapshot()
    {
        lock (_lock)
        {
            return [.. _nodes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.ToUsage(kv.Key))];
        }
    }

    public IReadOnlyList<TrackedAllocation> Allocations()
    {
        lock (_lock)
        {
            return [.. _holders.Values];
        }
    }

    private sealed class NodeState(ResourceList capacity)
    {
        public ResourceList Capacity { get; set; } = capacity;

        public ResourceList Allocated { get; set; } = ResourceList.Empty;

        public ResourceList Available { get; set; } = capacity;

        public HashSet<string> Holders { get; } = new(StringComparer.Ordinal);

        public NodeUsage ToUsage(string node) => new(node, Capacity, Allocated, Available, Holders.Count);
    }
}
