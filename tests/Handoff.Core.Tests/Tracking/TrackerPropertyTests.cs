using CsCheck;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Tracking;

public sealed class TrackerPropertyTests
{
    private static readonly string[] ResourceNames = ["cpu", "memory", "nvidia.com/gpu"];

    internal static readonly Gen<ResourceList> GenCapacity =
        Gen.Select(Gen.Long[0, 8000], Gen.Long[0, 16000], Gen.Long[0, 2000]).Select(t =>
            ResourceList.FromMilli([KeyValuePair.Create("cpu", t.Item1), KeyValuePair.Create("memory", t.Item2), KeyValuePair.Create("nvidia.com/gpu", t.Item3)]));

    internal static readonly Gen<ResourceList> GenCost =
        Gen.Select(Gen.Int[0, 2], Gen.Long[0, 4000], Gen.Int[0, 2], Gen.Long[0, 2000]).Select(t =>
            ResourceList.FromMilli(new[] { KeyValuePair.Create(ResourceNames[t.Item1], t.Item2), KeyValuePair.Create(ResourceNames[t.Item3], t.Item4) }
                .DistinctBy(kv => kv.Key)));

    // (kind 0 = allocate, 1 = release), node index, holder index, cost
    private static readonly Gen<(int Kind, int Node, int Holder, ResourceList Cost)[]> GenOps =
        Gen.Select(Gen.Int[0, 1], Gen.Int[0, 3], Gen.Int[0, 11], GenCost).Array[1, 80];

    private static void AssertNeverOverCommitted(IResourceTracker tracker)
    {
        foreach (var usage in tracker.Snapshot())
        {
            foreach (var (name, amount) in usage.Allocated)
            {
                Assert.True(amount <= usage.Capacity[name], $"{usage.Node} over-committed {name}: {amount} > {usage.Capacity[name]}");
                Assert.True(amount >= 0);
            }

            foreach (var name in usage.Capacity.Names.Concat(usage.Allocated.Names))
            {
                Assert.Equal(usage.Capacity[name] - usage.Allocated[name], usage.Available[name]);
            }
        }

        var held = tracker.Allocations().GroupBy(a => a.Node).ToDictionary(g => g.Key, g => g.Aggregate(ResourceList.Empty, (s, a) => s.Add(a.Cost)));
        foreach (var usage in tracker.Snapshot())
        {
            var sum = held.GetValueOrDefault(usage.Node) ?? ResourceList.Empty;
            foreach (var name in sum.Names.Concat(usage.Allocated.Names))
            {
                Assert.Equal(sum[name], usage.Allocated[name]);
            }
        }
    }

    [Fact]
    public void Never_over_commits_and_returns_to_full_capacity_after_all_releases() =>
        Gen.Select(GenCapacity.Array[1, 4], GenOps).Sample((capacities, ops) =>
        {
            var tracker = new SimpleResourceTracker();
            for (var i = 0; i < capacities.Length; i++)
            {
                tracker.SetNode($"n{i}", capacities[i]);
            }

            var model = new Dictionary<string, string>();
            foreach (var (kind, node, holder, cost) in ops)
            {
                var nodeName = $"n{node % capacities.Length}";
                var holderName = $"h{holder}";
                if (kind == 0)
                {
                    var expected = !model.ContainsKey(holderName) && cost.FitsIn(tracker.Available(nodeName)!);
                    Assert.Equal(expected, tracker.TryAllocate(nodeName, cost, holderName));
                    if (expected)
                    {
                        model[holderName] = nodeName;
                    }
                }
                else
                {
                    Assert.Equal(model.Remove(holderName), tracker.Release(holderName));
                }

                AssertNeverOverCommitted(tracker);
            }

            foreach (var holder in model.Keys.ToList())
            {
                Assert.True(tracker.Release(holder));
            }

            for (var i = 0; i < capacities.Length; i++)
            {
                Assert.Equal(capacities[i], tracker.Available($"n{i}"));
                Assert.True(tracker.GetNode($"n{i}")!.Allocated.IsZero);
            }
        }, iter: 300);

    [Fact]
    public void Never_over_commits_under_concurrent_allocate_and_release() =>
        Gen.Select(GenCapacity.Array[1, 3], GenOps.Array[2, 4]).Sample((capacities, perThread) =>
        {
            var tracker = new SimpleResourceTracker();
            for (var i = 0; i < capacities.Length; i++)
            {
                tracker.SetNode($"n{i}", capacities[i]);
            }

            var violations = 0;
            using var barrier = new Barrier(perThread.Length);
            var threads = perThread.Select((ops, t) => new Thread(() =>
            {
                barrier.SignalAndWait();
                foreach (var (kind, node, holder, cost) in ops)
                {
                    // Holder names are per thread, so each thread's releases match its own allocations.
                    var holderName = $"t{t}-h{holder}";
                    if (kind == 0)
                    {
                        tracker.TryAllocate($"n{node % capacities.Length}", cost, holderName);
                    }
                    else
                    {
                        tracker.Release(holderName);
                    }

                    foreach (var usage in tracker.Snapshot())
                    {
                        if (usage.Allocated.Any(kv => kv.Value > usage.Capacity[kv.Key]))
                        {
                            Interlocked.Increment(ref violations);
                        }
                    }
                }
            })).ToList();
            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());
            Assert.Equal(0, violations);
            AssertNeverOverCommitted(tracker);
            foreach (var allocation in tracker.Allocations())
            {
                Assert.True(tracker.Release(allocation.Holder));
            }

            for (var i = 0; i < capacities.Length; i++)
            {
                Assert.Equal(capacities[i], tracker.Available($"n{i}"));
            }
        }, iter: 60, threads: 1);

    [Fact]
    public void Concurrent_allocations_for_one_holder_succeed_exactly_once()
    {
        var tracker = new SimpleResourceTracker();
        for (var i = 0; i < 4; i++)
        {
            tracker.SetNode($"n{i}", ResourceList.Of(("cpu", "100")));
        }

        var successes = 0;
        Parallel.For(0, 64, i =>
        {
            if (tracker.TryAllocate($"n{i % 4}", ResourceList.Of(("cpu", "1")), "same"))
            {
                Interlocked.Increment(ref successes);
            }
        });
        Assert.Equal(1, successes);
        Assert.Single(tracker.Allocations());
    }
}
