using CsCheck;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Tests.Tracking;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Planning;

/// <summary>
/// <see cref="Planner"/> (incremental ready set, priority queues of ends and back-offs), with its default tracker
/// (<see cref="Handoff.Core.Tracking.Indexing.IndexedResourceTracker"/>) and with the plain one, gives exactly the
/// result of <see cref="ReferencePlanner"/> (the rules written out plainly, on the plain tracker): the same plan for
/// every function, the same peaks, the same timeline in the same order and the same makespan — on random DAGs with
/// cycles, unknown and duplicate args, failures and retries with back-offs, creation times, zero durations, simultaneous ends, node selectors,
/// pinned nodes, collocation and functions that wait for room or never fit.
/// </summary>
public sealed class PlannerEquivalencePropertyTests
{
    private static readonly string[] Zones = ["a", "b"];

    // Node i is named so that ordinal name order differs from index order.
    private static string NodeName(int i) => $"node-{(i * 37) % 101:D3}-{i}";

    // Room for a few functions per node (costs are up to 4 of cpu, memory and gpu each), so most run and many wait.
    private static readonly Gen<ResourceList> GenCapacity =
        Gen.Select(Gen.Long[1000, 8000], Gen.Long[2000, 16000], Gen.Long[0, 4000]).Select(t =>
            ResourceList.FromMilli([KeyValuePair.Create("cpu", t.Item1), KeyValuePair.Create("memory", t.Item2), KeyValuePair.Create("nvidia.com/gpu", t.Item3)]));

    private static readonly Gen<NodeInfo[]> GenNodes =
        Gen.Select(GenCapacity, Gen.Int[0, 9], Gen.Int[0, 1]).Array[1, 6]
            .Select(items => items.Select((t, i) => new NodeInfo(NodeName(i), t.Item1)
            {
                Unschedulable = t.Item2 == 0,
                Ready = t.Item2 != 1, // the planner treats every node as Ready
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["zone"] = Zones[t.Item3] },
            }).ToArray());

    private const int UnknownOffset = 1000;

    // Arg i → f[i - offset], mostly an earlier function; rarely a later one (cycles), itself, or an unknown one.
    private static readonly Gen<int> GenArgOffset = Gen.Int[0, 49].Select(x => x switch
    {
        0 => -1,
        1 => 0,
        2 => UnknownOffset,
        _ => 1 + (x % 10),
    });

    // Per function: cost; arg offsets (ones reaching before the first function are dropped; duplicates are kept);
    // duration in quarter seconds (0 = ends at the instant it starts); fails; maxRetries; strategy; constraint kind
    // and its target.
    // Three costs shared by many functions (as the same instance or an equal copy), so that many requests have the
    // same shape and the planner's shortcut for repeated failures is exercised; otherwise a random cost.
    private static readonly ResourceList[] CommonCosts =
        [ResourceList.Of(("cpu", "1")), ResourceList.Of(("cpu", "2"), ("memory", "4")), ResourceList.Of(("nvidia.com/gpu", "1"))];

    private static readonly Gen<ResourceList> GenFunctionCost =
        Gen.Select(Gen.Int[0, 6], TrackerPropertyTests.GenCost).Select((pick, cost) => pick switch
        {
            < 3 => CommonCosts[pick],
            < 5 => ResourceList.FromMilli(CommonCosts[pick - 3]),
            _ => cost,
        });

    private static readonly IReadOnlyDictionary<string, string> ZoneA = new Dictionary<string, string>(StringComparer.Ordinal) { ["zone"] = "a" };

    private static Gen<PlanFunction[]> GenFunctions(int maxCount) =>
        Gen.Select(
                GenFunctionCost,
                GenArgOffset.Array[0, 3],
                Gen.Int[0, 6],
                Gen.Int[0, 7],
                Gen.Int[0, 2],
                Gen.Int[0, 2],
                Gen.Int[0, 11],
                Gen.Int[-3, 8])
            .Array[0, maxCount]
            .Select(items => items.Select(ToFunction).ToArray());

    private static PlanFunction ToFunction((ResourceList Cost, int[] Offsets, int Quarters, int Fails, int MaxRetries, int Strategy, int Constraint, int Target) t, int i)
    {
        var placement = new PlacementRequest($"f{i}", t.Cost);
        placement = t.Constraint switch
        {
            1 => placement with { NodeSelector = ZoneA },
            5 => placement with { NodeSelector = new Dictionary<string, string>(StringComparer.Ordinal) { ["zone"] = "a" } },
            2 => placement with { Node = NodeName(Math.Abs(t.Target)) }, // may name no node
            3 => placement with { CollocateWith = $"f{i - t.Target}" }, // may be itself, a later function or unknown
            4 => placement with { CollocateWith = $"f{i - t.Target}", CollocateNode = NodeName(Math.Abs(t.Target)) },
            _ => placement,
        };
        return new PlanFunction(placement, [.. t.Offsets.Where(offset => offset <= i || offset == UnknownOffset).Select(offset => $"f{i - offset}")])
        {
            Strategy = (AllocationStrategy)t.Strategy,
            Duration = TimeSpan.FromMilliseconds(250 * t.Quarters),
            Fails = t.Fails == 0,
            Retry = new RetryPolicy(t.MaxRetries) { InitialBackoff = TimeSpan.FromMilliseconds(500 * (1 + (i % 3))) },
            Created = TimeSpan.FromSeconds(i % 4),
        };
    }

    private static void AssertSamePlan(PlanResult expected, PlanResult actual)
    {
        Assert.Equal(expected.Functions, actual.Functions);
        Assert.Equal(expected.Nodes, actual.Nodes);
        Assert.Equal(expected.Events, actual.Events);
        Assert.Equal(expected.Makespan, actual.Makespan);
    }

    private static void Check(NodeInfo[] nodes, PlanFunction[] functions)
    {
        var ct = TestContext.Current.CancellationToken;
        var expected = ReferencePlanner.Run(nodes, functions, ct);
        AssertSamePlan(expected, Planner.Run(nodes, functions, ct));
        AssertSamePlan(expected, Planner.Run(nodes, functions, new PlannerOptions { TrackerFactory = () => new SimpleResourceTracker() }, ct));
    }

    [Fact]
    public void Optimized_planner_equals_the_reference_on_small_dags() =>
        Gen.Select(GenNodes, GenFunctions(25)).Sample(Check, iter: 600);

    [Fact]
    public void Optimized_planner_equals_the_reference_on_larger_dags() =>
        Gen.Select(GenNodes, GenFunctions(150)).Sample(Check, iter: 60);

    [Fact]
    public void Optimized_planner_equals_the_reference_when_many_attempts_end_together()
    {
        // Every function lasts 1 s: all ends of an instant coincide and are processed in queue order, and most
        // functions wait for room across several instants.
        var gen = Gen.Select(GenNodes, GenFunctions(120)).Select((nodes, functions) =>
            (Nodes: nodes, Functions: functions.Select(f => f with { Duration = TimeSpan.FromSeconds(1) }).ToArray()));
        gen.Sample(t => Check(t.Nodes, t.Functions), iter: 60);
    }
}
