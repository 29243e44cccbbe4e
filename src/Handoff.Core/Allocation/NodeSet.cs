using System.Collections;

namespace Handoff.Core.Allocation;

/// <summary>
/// An immutable snapshot of the nodes an allocator chooses from, in ordinal name order, with lookup by name.
/// Allocators take a <see cref="NodeSet"/> (not a raw list) so faster indexes can be added here later without
/// changing their callers.
/// </summary>
public sealed class NodeSet : IReadOnlyList<NodeInfo>
{
    private readonly NodeInfo[] _nodes;
    private readonly Dictionary<string, int> _index;

    /// <summary>Sorts <paramref name="nodes"/> by name (ordinal). Throws <see cref="ArgumentException"/> on a duplicate name.</summary>
    public NodeSet(IEnumerable<NodeInfo> nodes)
    {
        // Names are unique, so any sort gives the one order; the operator's nodes come sorted already (its caches list by
        // name), and a check is cheaper than a sort on every pass.
        _nodes = [.. nodes];
        if (!IsSorted(_nodes))
        {
            Array.Sort(_nodes, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        _index = new Dictionary<string, int>(_nodes.Length, StringComparer.Ordinal);
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (!_index.TryAdd(_nodes[i].Name, i))
            {
                throw new ArgumentException($"duplicate node name \"{_nodes[i].Name}\"", nameof(nodes));
            }
        }
    }

    public static NodeSet Empty { get; } = new([]);

    private static bool IsSorted(NodeInfo[] nodes)
    {
        for (var i = 1; i < nodes.Length; i++)
        {
            if (string.CompareOrdinal(nodes[i - 1].Name, nodes[i].Name) > 0)
            {
                return false;
            }
        }

        return true;
    }

    public int Count => _nodes.Length;

    public NodeInfo this[int index] => _nodes[index];

    /// <summary>The node named <paramref name="name"/>, or null.</summary>
    public NodeInfo? Find(string name) => _index.TryGetValue(name, out var i) ? _nodes[i] : null;

    public IEnumerator<NodeInfo> GetEnumerator() => ((IEnumerable<NodeInfo>)_nodes).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _nodes.GetEnumerator();
}
