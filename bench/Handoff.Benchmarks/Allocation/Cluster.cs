using Handoff.Core.Allocation;
using Handoff.Core.Tracking.Indexing;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Benchmarks.Allocation;

/// <summary>Which resource a packed node is short of.</summary>
public enum Shortage
{
    /// <summary>Packed nodes are short of cpu (the usual bottleneck when one workload shape dominates).</summary>
    Cpu,

    /// <summary>Each packed node is short of a random resource (the index's worst case: subtrees mix shortages).</summary>
    Random,
}

/// <summary>
/// A synthetic, partly full cluster: <c>nodes</c> HandoffNodes named <c>node-00000</c>… (name order = index order),
/// each with <c>resources</c> resource types of 64, 128 or 256 units. The first 90 % of the nodes in name order
/// are packed, as FirstAvailable leaves a cluster: each has 50–100 % used of every resource and less than the
/// request free of one (see <see cref="Shortage"/>). The last 10 % are 0–60 % used, so the request fits on them
/// only. The request asks for 4 units of every resource type. Deterministic (fixed seed).
/// </summary>
public sealed class Cluster
{
    public const long RequestMilli = 4_000;

    private Cluster(NodeSet nodes, IResourceTracker tracker, PlacementRequest request, string[] resourceNames, long[] availableTable)
    {
        Nodes = nodes;
        Tracker = tracker;
        Request = request;
        ResourceNames = resourceNames;
        AvailableTable = availableTable;
    }

    public NodeSet Nodes { get; }

    public IResourceTracker Tracker { get; }

    public PlacementRequest Request { get; }

    public string[] ResourceNames { get; }

    /// <summary>
    /// The same capacity table the allocators read, as a flat row-major array (nodes in name order × resources),
    /// of what is available now: the input of the scan baseline.
    /// </summary>
    public long[] AvailableTable { get; }

    public static string[] ResourceNamesFor(int count) =>
        [.. Enumerable.Range(0, count).Select(i => i switch
        {
            0 => "cpu",
            1 => "memory",
            2 => "nvidia.com/gpu",
            3 => "example.com/specialized-hardware",
            _ => $"resource-{i:D2}",
        })];

    public static Cluster Create(int nodeCount, int resourceCount, bool indexed, Shortage shortage = Shortage.Cpu, int seed = 42)
    {
        var random = new Random(seed);
        var names = ResourceNamesFor(resourceCount);
        IResourceTracker tracker = indexed ? new IndexedResourceTracker() : new SimpleResourceTracker();
        var nodes = new List<NodeInfo>(nodeCount);
        var packedCount = nodeCount * 9 / 10;
        for (var i = 0; i < nodeCount; i++)
        {
            var capacity = new long[resourceCount];
            var used = new long[resourceCount];
            var shortOf = shortage == Shortage.Cpu ? 0 : random.Next(resourceCount);
            for (var r = 0; r < resourceCount; r++)
            {
                capacity[r] = 64_000L << random.Next(3);
                if (i < packedCount)
                {
                    used[r] = r == shortOf
                        ? capacity[r] - random.NextInt64(0, RequestMilli)
                        : capacity[r] / 2 + random.NextInt64(0, capacity[r] / 2 + 1);
                }
                else
                {
                    used[r] = random.NextInt64(0, capacity[r] * 6 / 10);
                }
            }

            var node = new NodeInfo($"node-{i:D5}", ToList(names, capacity));
            nodes.Add(node);
            tracker.SetNode(node.Name, node.Capacity);
            if (!tracker.TryAllocate(node.Name, ToList(names, used), $"existing-{i:D5}"))
            {
                throw new InvalidOperationException("fixture: the existing load must fit");
            }
        }

        var request = new PlacementRequest("default/bench", ToList(names, [.. names.Select(_ => RequestMilli)]));
        var table = new long[nodeCount * resourceCount];
        var row = 0;
        foreach (var usage in tracker.Snapshot())
        {
            for (var r = 0; r < resourceCount; r++)
            {
                table[(row * resourceCount) + r] = usage.Available[names[r]];
            }

            row++;
        }

        return new Cluster(new NodeSet(nodes), tracker, request, names, table);
    }

    private static ResourceList ToList(string[] names, long[] milli) =>
        ResourceList.FromMilli(names.Select((n, r) => KeyValuePair.Create(n, milli[r])));

    /// <summary>
    /// The floor any allocator must read: one pass over the flat table of available amounts, checking the request
    /// against every node (no eligibility, no scoring). Returns how many nodes fit.
    /// </summary>
    public static int ScanOnce(long[] table, int resourceCount, long request)
    {
        var fitting = 0;
        for (var start = 0; start < table.Length; start += resourceCount)
        {
            var fits = true;
            for (var r = 0; r < resourceCount; r++)
            {
                if (table[start + r] < request)
                {
                    fits = false;
                    break;
                }
            }

            if (fits)
            {
                fitting++;
            }
        }

        return fitting;
    }
}
