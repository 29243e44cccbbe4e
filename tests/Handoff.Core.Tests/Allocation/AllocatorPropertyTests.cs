using CsCheck;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Tests.Tracking;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Allocation;

public sealed class AllocatorPropertyTests
{
    private static readonly Gen<NodeInfo[]> GenNodes =
        Gen.Select(TrackerPropertyTests.GenCapacity, Gen.Bool, Gen.Int[0, 9], Gen.Int[0, 1])
            .Array[0, 8]
            .Select(items => items
                .Select((t, i) => new NodeInfo($"node-{t.Item3}{(char)('a' + i)}", t.Item1)
                {
                    Unschedulable = t.Item2 && t.Item3 % 3 == 0,
                    Labels = new Dictionary<string, string> { ["zone"] = t.Item4 == 0 ? "a" : "b" },
                })
                .ToArray());

    private static readonly Gen<ResourceList[]> GenUsed = TrackerPropertyTests.GenCost.Array[0, 8];

    private static readonly Gen<PlacementRequest> GenRequest =
        Gen.Select(TrackerPropertyTests.GenCost, Gen.Bool).Select((cost, useSelector) => new PlacementRequest("f", cost)
        {
            NodeSelector = useSelector ? new Dictionary<string, string> { ["zone"] = "a" } : null,
        });

    private static SimpleResourceTracker Track(NodeInfo[] nodes, ResourceList[] used)
    {
        var tracker = new SimpleResourceTracker();
        foreach (var n in nodes)
        {
            tracker.SetNode(n.Name, n.Capacity);
        }

        for (var i = 0; i < used.Length && nodes.Length > 0; i++)
        {
            tracker.TryAllocate(nodes[i % nodes.Length].Name, used[i], $"used-{i}");
        }

        return tracker;
    }

    private static bool NaiveFits(NodeInfo node, PlacementRequest request, IResourceTracker tracker)
    {
        if (node.Unschedulable || !node.Ready)
        {
            return false;
        }

        if (request.NodeSelector is not null && request.NodeSelector.Any(kv => !node.Labels.TryGetValue(kv.Key, out var v) || v != kv.Value))
        {
            return false;
        }

        var available = tracker.Available(node.Name)!;
        return request.Cost.All(kv => kv.Value <= available[kv.Key]);
    }

    [Fact]
    public void FirstAvailable_equals_the_naive_reference_definition() =>
        Gen.Select(GenNodes, GenUsed, GenRequest).Sample((nodes, used, request) =>
        {
            var tracker = Track(nodes, used);
            var expected = nodes.OrderBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault(n => NaiveFits(n, request, tracker))?.Name;
            var decision = Allocators.FirstAvailable.Allocate(request, new NodeSet(nodes), tracker);
            Assert.Equal(expected, decision.Node);
            if (expected is null)
            {
                Assert.Equal(nodes.Length, decision.Rejections.Count);
                var neverFits = !nodes.Any(n => NodeEligibility.MatchesConstraints(request, n) && request.Cost.FitsIn(n.Capacity));
                Assert.Equal(neverFits, decision.Unschedulable);
            }
        }, iter: 500);

    [Fact]
    public void Every_strategy_picks_an_eligible_node_that_fits_whenever_one_exists() =>
        Gen.Select(GenNodes, GenUsed, GenRequest).Sample((nodes, used, request) =>
        {
            var tracker = Track(nodes, used);
            var anyFits = nodes.Any(n => NaiveFits(n, request, tracker));
            foreach (var allocator in new[] { Allocators.FirstAvailable, Allocators.LoadBalanced, Allocators.BestFit })
            {
                var decision = allocator.Allocate(request, new NodeSet(nodes), tracker);
                Assert.Equal(anyFits, decision.Success);
                if (decision.Success)
                {
                    Assert.True(NaiveFits(nodes.Single(n => n.Name == decision.Node), request, tracker));
                }
            }
        }, iter: 300);

    [Fact]
    public void LoadBalanced_and_BestFit_choose_the_extreme_score() =>
        Gen.Select(GenNodes, GenUsed, GenRequest).Sample((nodes, used, request) =>
        {
            var tracker = Track(nodes, used);
            var fitting = nodes.Where(n => NaiveFits(n, request, tracker)).ToList();
            if (fitting.Count == 0)
            {
                return;
            }

            double Score(NodeInfo n) => FreeFraction.After(request.Cost, n.Capacity, tracker.Available(n.Name)!).ToDouble();
            var lb = Allocators.LoadBalanced.Allocate(request, new NodeSet(nodes), tracker).Node!;
            var bf = Allocators.BestFit.Allocate(request, new NodeSet(nodes), tracker).Node!;
            Assert.Equal(fitting.Max(Score), Score(fitting.Single(n => n.Name == lb)), 12);
            Assert.Equal(fitting.Min(Score), Score(fitting.Single(n => n.Name == bf)), 12);
        }, iter: 300);
}
