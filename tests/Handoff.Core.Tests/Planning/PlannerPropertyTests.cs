using CsCheck;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Tests.Tracking;

namespace Handoff.Core.Tests.Planning;

public sealed class PlannerPropertyTests
{
    private static readonly Gen<NodeInfo[]> GenNodes =
        Gen.Select(TrackerPropertyTests.GenCapacity, Gen.Int[0, 9]).Array[1, 5]
            .Select(items => items.Select((t, i) => new NodeInfo($"n{i}", t.Item1) { Unschedulable = t.Item2 == 0 }).ToArray());

    // Per function: cost, up to 3 arg offsets (args point to earlier functions; an offset past the start makes an
    // unknown arg), duration in quarter seconds, fails, maxRetries, strategy.
    private static readonly Gen<PlanFunction[]> GenFunctions =
        Gen.Select(TrackerPropertyTests.GenCost, Gen.Int[1, 12].Array[0, 3], Gen.Int[0, 8], Gen.Int[0, 5], Gen.Int[0, 2], Gen.Int[0, 2])
            .Array[0, 25]
            .Select(items => items.Select(ToFunction).ToArray());

    private static PlanFunction ToFunction((ResourceList Cost, int[] Offsets, int Quarters, int Fails, int MaxRetries, int Strategy) t, int i) =>
        new(new PlacementRequest($"f{i}", t.Cost), [.. t.Offsets.Select(offset => $"f{i - offset}").Distinct()])
        {
            Strategy = (AllocationStrategy)t.Strategy,
            Duration = TimeSpan.FromMilliseconds(250 * t.Quarters),
            Fails = t.Fails == 0,
            Retry = new RetryPolicy(t.MaxRetries),
        };

    [Fact]
    public void Plans_respect_capacity_dependencies_and_retry_limits() =>
        Gen.Select(GenNodes, GenFunctions).Sample((nodes, functions) =>
        {
            var plan = Planner.Run(nodes, functions, TestContext.Current.CancellationToken);
            var byId = plan.Functions.ToDictionary(f => f.Id);
            var defs = functions.ToDictionary(f => f.Id);
            Assert.Equal(functions.Select(f => f.Id), plan.Functions.Select(f => f.Id));

            // Attempt intervals from the timeline.
            var attempts = new List<(string Id, string Node, TimeSpan Start, TimeSpan End)>();
            foreach (var start in plan.Events.Where(e => e.Kind == PlanEventKind.Started))
            {
                var end = plan.Events.Single(e => e.Kind != PlanEventKind.Started && e.Id == start.Id && e.Attempt == start.Attempt);
                attempts.Add((start.Id, start.Node, start.Time, end.Time));
                Assert.False(nodes.Single(n => n.Name == start.Node).Unschedulable);
            }

            // Replaying the timeline in order (ends release, starts allocate): never over-committed, and the
            // reported peak is the real maximum.
            var used = nodes.ToDictionary(n => n.Name, _ => ResourceList.Empty);
            var peak = nodes.ToDictionary(n => n.Name, n => ResourceList.FromMilli(n.Capacity.Select(kv => KeyValuePair.Create(kv.Key, 0L))));
            TimeSpan? last = null;
            foreach (var e in plan.Events)
            {
                Assert.True(last is null || last <= e.Time, "events are in time order");
                last = e.Time;
                var cost = defs[e.Id].Placement.Cost;
                if (e.Kind == PlanEventKind.Started)
                {
                    used[e.Node] = used[e.Node].Add(cost);
                    var capacity = nodes.Single(n => n.Name == e.Node).Capacity;
                    Assert.True(used[e.Node].FitsIn(capacity), $"{e.Node} over-committed at {e.Time}: {used[e.Node]} > {capacity}");
                    peak[e.Node] = peak[e.Node].Max(used[e.Node]);
                }
                else
                {
                    used[e.Node] = used[e.Node].Subtract(cost);
                }
            }

            foreach (var node in nodes)
            {
                var reported = plan.Nodes.Single(n => n.Name == node.Name).Peak;
                Assert.All(peak[node.Name].Names.Concat(reported.Names), name => Assert.Equal(peak[node.Name][name], reported[name]));
                Assert.True(used[node.Name].IsZero);
            }

            foreach (var f in plan.Functions)
            {
                var def = defs[f.Id];
                var runs = attempts.Where(a => a.Id == f.Id).ToList();
                Assert.Equal(f.Attempts, runs.Count);
                Assert.True(f.Attempts <= def.Retry.MaxRetries + 1);
                if (f.Attempts > 0)
                {
                    // Every attempt starts only after every arg succeeded.
                    foreach (var arg in def.Args)
                    {
                        Assert.Equal(FunctionPhase.Succeeded, byId[arg].Phase);
                        Assert.True(byId[arg].End <= runs.Min(r => r.Start));
                    }
                }

                switch (f.Phase)
                {
                    case FunctionPhase.Succeeded:
                        Assert.False(def.Fails);
                        Assert.Equal(1, f.Attempts);
                        break;
                    case FunctionPhase.Failed when f.Reason == Reasons.RetriesExhausted:
                        Assert.True(def.Fails);
                        Assert.Equal(def.Retry.MaxRetries + 1, f.Attempts);

                        // Each retry waits for its back-off after the failed attempt.
                        for (var k = 1; k < runs.Count; k++)
                        {
                            Assert.True(runs[k].Start >= runs[k - 1].End + def.Retry.Backoff(k), $"{f.Id} attempt {k + 1} started before its back-off ended");
                        }

                        break;
                    case FunctionPhase.Failed when f.Reason == Reasons.DependencyFailed:
                        Assert.Equal(0, f.Attempts);
                        break;
                    case FunctionPhase.Waiting:
                        Assert.Contains(def.Args, a => !byId.TryGetValue(a, out var p) || p.Phase != FunctionPhase.Succeeded);
                        break;
                    case FunctionPhase.Pending:
                        Assert.Equal(0, f.Attempts);
                        Assert.All(def.Args, a => Assert.Equal(FunctionPhase.Succeeded, byId[a].Phase));
                        break;
                }
            }

            Assert.Equal(attempts.Count == 0 ? TimeSpan.Zero : attempts.Max(a => a.End), plan.Makespan);
        }, iter: 300);
}
