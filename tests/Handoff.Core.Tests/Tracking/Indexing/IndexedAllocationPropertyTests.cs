using CsCheck;
using Handoff.Core.Allocation;
using Handoff.Core.Tracking.Indexing;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Tracking.Indexing;

/// <summary>
/// The indexed allocation path (<see cref="IndexedResourceTracker"/>) must decide exactly as the plain one: the
/// same node, message and Unschedulable flag for every strategy, and FirstAvailable equal to its plain definition,
/// after any sequence of tracker changes (allocations, adoptions, releases, capacity changes, nodes added and removed).
/// </summary>
public sealed class IndexedAllocationPropertyTests
{
    // "example.com/rare" is never a capacity: a positive cost of it fits nowhere.
    private static readonly string[] CapacityNames = ["cpu", "memory", "nvidia.com/gpu", "example.com/fpga"];
    private static readonly string[] CostNames = [.. CapacityNames, "example.com/rare"];

    private static readonly Gen<ResourceList> GenCapacity =
        Gen.Select(Gen.Long[0, 8000], Gen.Long[0, 8000], Gen.Long[0, 4000], Gen.Long[0, 2000], Gen.Int[0, 15]).Select(t =>
            ResourceList.FromMilli(new[] { t.Item1, t.Item2, t.Item3, t.Item4 }
                .Select((amount, i) => (amount, i))
                .Where(x => (t.Item5 & (1 << x.i)) == 0 || x.i == 0)
                .Select(x => KeyValuePair.Create(CapacityNames[x.i], x.amount))));

    private static readonly Gen<ResourceList> GenCost =
        Gen.Select(Gen.Int[0, 4], Gen.Long[0, 3000], Gen.Int[0, 4], Gen.Long[0, 3000], Gen.Int[0, 9]).Select(t =>
            t.Item5 == 0
                ? ResourceList.Empty
                : ResourceList.FromMilli(new[] { KeyValuePair.Create(CostNames[t.Item1], t.Item2), KeyValuePair.Create(CostNames[t.Item3], t.Item4) }
                    .DistinctBy(kv => kv.Key)));

    // Node i is named so that ordinal name order differs from index order.
    private static string NodeName(int i) => $"node-{(i * 37) % 101:D3}-{i}";

    private static Gen<NodeInfo[]> GenNodes(int max) =>
        Gen.Select(GenCapacity, Gen.Int[0, 9], Gen.Int[0, 2]).Array[1, max].Select(items => items
            .Select((t, i) => new NodeInfo(NodeName(i), t.Item1)
            {
                Unschedulable = t.Item2 == 0,
                Ready = t.Item2 != 1,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["zone"] = t.Item3 == 0 ? "a" : "b" },
            })
            .ToArray());

    // Kind: 0-3 allocate, 4 release, 5 adopt, 6 set capacity (nodes past the set are unknown to it), 7 remove node.
    private static Gen<(int Kind, int Node, int Holder, ResourceList Cost, ResourceList Capacity)[]> GenOps(int maxNode) =>
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, maxNode], Gen.Int[0, 40], GenCost, GenCapacity).Array[0, 60];

    private static Gen<PlacementRequest> GenRequest(int nodeCount) =>
        Gen.Select(GenCost, Gen.Int[0, 5], Gen.Int[0, nodeCount + 1]).Select((cost, constraint, node) => new PlacementRequest("default/f", cost)
        {
            NodeSelector = constraint == 1 ? new Dictionary<string, string>(StringComparer.Ordinal) { ["zone"] = "a" } : null,
            Node = constraint == 2 ? NodeName(node) : null,
            CollocateWith = constraint == 3 ? "default/g" : null,
            CollocateNode = constraint == 3 ? NodeName(node) : null,
        });

    private static void Apply(IResourceTracker tracker, (int Kind, int Node, int Holder, ResourceList Cost, ResourceList Capacity) op)
    {
        var node = NodeName(op.Node);
        var holder = $"h{op.Holder}";
        switch (op.Kind)
        {
            case <= 3:
                tracker.TryAllocate(node, op.Cost, holder);
                break;
            case 4:
                tracker.Release(holder);
                break;
            case 5:
                tracker.Adopt(node, op.Cost, holder);
                break;
            case 6:
                tracker.SetNode(node, op.Capacity);
                break;
            default:
                tracker.RemoveNode(node);
                break;
        }
    }

    /// <summary>FirstAvailable as defined: the first node in name order that is eligible, tracked and has the cost available.</summary>
    private static string? PlainFirstAvailable(PlacementRequest request, NodeInfo[] nodes, IResourceTracker tracker) =>
        nodes.OrderBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault(n =>
            !n.Unschedulable && n.Ready
            && (request.Node is null || request.Node == n.Name)
            && (request.CollocateNode is null || request.CollocateNode == n.Name)
            && (request.NodeSelector is null || request.NodeSelector.All(kv => n.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
            && tracker.Available(n.Name) is { } available
            && request.Cost.All(kv => kv.Value <= 0 || kv.Value <= available[kv.Key]))?.Name;

    private static void AssertSameDecisions(PlacementRequest request, NodeInfo[] nodes, NodeSet set, SimpleResourceTracker plain, IndexedResourceTracker indexed)
    {
        Assert.Equal(PlainFirstAvailable(request, nodes, plain), Allocators.FirstAvailable.Allocate(request, set, indexed).Node);
        foreach (var strategy in Enum.GetValues<AllocationStrategy>())
        {
            var expected = Allocators.For(strategy).Allocate(request, set, plain);
            var actual = Allocators.For(strategy).Allocate(request, set, indexed);
            Assert.Equal(expected.Node, actual.Node);
            Assert.Equal(expected.Message, actual.Message);
            Assert.Equal(expected.Unschedulable, actual.Unschedulable);
        }
    }

    private static void Check(NodeInfo[] nodes, (int Kind, int Node, int Holder, ResourceList Cost, ResourceList Capacity)[] ops, PlacementRequest[] requests)
    {
        var plain = new SimpleResourceTracker();
        var indexed = new IndexedResourceTracker();
        foreach (var n in nodes)
        {
            plain.SetNode(n.Name, n.Capacity);
            indexed.SetNode(n.Name, n.Capacity);
        }

        var set = new NodeSet(nodes);
        for (var i = 0; i < ops.Length; i++)
        {
            Apply(plain, ops[i]);
            Apply(indexed, ops[i]);
            Assert.Equal(plain.Snapshot(), indexed.Snapshot());
            AssertSameDecisions(requests[i % requests.Length], nodes, set, plain, indexed);
        }

        foreach (var request in requests)
        {
            AssertSameDecisions(request, nodes, set, plain, indexed);

            // A fresh NodeSet (not the cached one) decides the same.
            AssertSameDecisions(request, nodes, new NodeSet(nodes), plain, indexed);
        }
    }

    [Fact]
    public void Indexed_decisions_equal_the_plain_ones_on_small_clusters() =>
        Gen.Select(GenNodes(8), GenOps(10), GenRequest(8).Array[1, 6]).Sample(Check, iter: 400);

    [Fact]
    public void Indexed_decisions_equal_the_plain_ones_on_larger_clusters() =>
        Gen.Select(GenNodes(200), GenOps(220), GenRequest(200).Array[1, 6]).Sample(Check, iter: 60);

    [Fact]
    public void Indexed_FirstAvailable_skips_packed_nodes_and_follows_releases()
    {
        var tracker = new IndexedResourceTracker();
        var nodes = Enumerable.Range(0, 1000).Select(i => new NodeInfo($"node-{i:D4}", ResourceList.Of(("cpu", "8"), ("memory", "16000")))).ToArray();
        foreach (var n in nodes)
        {
            tracker.SetNode(n.Name, n.Capacity);
        }

        var set = new NodeSet(nodes);
        var cost = ResourceList.Of(("cpu", "8"));
        for (var i = 0; i < 999; i++)
        {
            Assert.True(tracker.TryAllocate(nodes[i].Name, cost, $"h{i}"));
        }

        var request = new PlacementRequest("default/f", ResourceList.Of(("cpu", "1")));
        Assert.Equal("node-0999", Allocators.FirstAvailable.Allocate(request, set, tracker).Node);
        Assert.True(tracker.Release("h500"));
        Assert.Equal("node-0500", Allocators.FirstAvailable.Allocate(request, set, tracker).Node);
        Assert.True(tracker.TryAllocate("node-0999", cost, "h999"));
        Assert.True(tracker.TryAllocate("node-0500", cost, "h500"));
        var none = Allocators.FirstAvailable.Allocate(request, set, tracker);
        Assert.Null(none.Node);
        Assert.StartsWith("0/1000 nodes are available: 1000 Insufficient cpu.", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scores_closer_than_double_precision_are_ordered_exactly()
    {
        // Free fractions after placing 1 cpu: 1e15/(3e15+2) on "a-close" and 1e15/(3e15+1) on "b-close" — equal as
        // doubles (closer than the index's double tolerance), but b-close leaves more free. LoadBalanced must pick b-close, BestFit a-close.
        const long cost = 1_000;
        const long left = 1_000_000_000_000_000;
        var nodes = new[] { ("a-close", (3 * left) + 2), ("b-close", (3 * left) + 1) }
            .Select(n => new NodeInfo(n.Item1, ResourceList.FromMilli([KeyValuePair.Create("cpu", n.Item2)])))
            .ToArray();
        var (x, y) = ((double)left / ((3 * left) + 2), (double)left / ((3 * left) + 1));
        Assert.True(Math.Abs(x - y) < 1e-12 * x, "the two scores must be a near-tie for doubles");
        var plain = new SimpleResourceTracker();
        var indexed = new IndexedResourceTracker();
        foreach (var tracker in new IResourceTracker[] { plain, indexed })
        {
            foreach (var node in nodes)
            {
                tracker.SetNode(node.Name, node.Capacity);
                Assert.True(tracker.TryAllocate(node.Name, ResourceList.FromMilli([KeyValuePair.Create("cpu", node.Capacity["cpu"] - cost - left)]), "used-" + node.Name));
            }
        }

        var set = new NodeSet(nodes);
        var request = new PlacementRequest("default/f", ResourceList.FromMilli([KeyValuePair.Create("cpu", cost)]));
        Assert.Equal("b-close", Allocators.LoadBalanced.Allocate(request, set, indexed).Node);
        Assert.Equal("a-close", Allocators.BestFit.Allocate(request, set, indexed).Node);
        AssertSameDecisions(request, nodes, set, plain, indexed);
    }
}
