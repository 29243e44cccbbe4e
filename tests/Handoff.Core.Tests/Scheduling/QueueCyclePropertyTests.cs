using CsCheck;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Scheduling;

/// <summary>
/// The cycle's rules (api.md, "Queues", rules 1–4) over random nodes, queues, quotas, cohorts, priorities, gangs and
/// workloads already holding capacity.
/// </summary>
public sealed class QueueCyclePropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string?[] Cohorts = [null, "c", "c"];
    private static readonly string?[] Gangs = [null, null, "ns/g0", "ns/g1"];

    private sealed record Scenario(NodeInfo[] Nodes, QueueQuota[] Queues, (int Node, int Cpu, int Priority, int Queue, int Gang, bool Terminating)[] Running, Workload[] Pending)
    {
        public override string ToString() =>
            "nodes: " + string.Join("; ", Nodes.Select(n => $"{n.Name} {n.Capacity}"))
            + "\nqueues: " + string.Join("; ", Queues.Select(q => $"{q.Name} quota {q.Quota} cohort {q.Cohort} limit {q.BorrowingLimit} weight {q.WeightMilli} {q.Strategy}"))
            + "\nrunning: " + string.Join("; ", Running.Select(r => r.ToString()))
            + "\npending: " + string.Join("; ", Pending.Select(w => $"{w.Id} {w.Placement.Cost} p{w.Priority} {w.Queue} {w.Gang} preempt={w.MayPreempt} {w.Strategy} {w.Order.ReadySince:ss}"));
    }

    private static readonly Gen<NodeInfo[]> GenNodes =
        Gen.Select(Gen.Int[0, 8], Gen.Int[0, 2]).Array[1, 5]
            .Select(items => items.Select((t, i) => new NodeInfo($"n{i}", ResourceList.FromMilli([KeyValuePair.Create("cpu", t.Item1 * 1000L), KeyValuePair.Create("gpu", t.Item2 * 1000L)]))).ToArray());

    private static readonly Gen<QueueQuota[]> GenQueues =
        Gen.Select(Gen.Int[-1, 10], Gen.Int[0, 2], Gen.Int[-1, 4], Gen.Int[1, 3], Gen.Bool).Array[1, 4]
            .Select(items => items.Select((t, i) => new QueueQuota($"q{i}")
            {
                Quota = t.Item1 < 0 ? ResourceList.Empty : ResourceList.FromMilli([KeyValuePair.Create("cpu", t.Item1 * 1000L)]),
                Cohort = Cohorts[t.Item2],
                BorrowingLimit = t.Item3 < 0 || t.Item1 < 0 || Cohorts[t.Item2] is null ? ResourceList.Empty : ResourceList.FromMilli([KeyValuePair.Create("cpu", t.Item3 * 1000L)]),
                WeightMilli = t.Item4 * 1000L,
                Strategy = t.Item5 ? QueueingStrategy.StrictFIFO : QueueingStrategy.BestEffortFIFO,
            }).ToArray());

    // (cpu, gpu, priority, queue index or -1), (gang index, minMembers, may preempt, strategy, ready second)
    private static readonly Gen<Workload[]> GenPending =
        Gen.Select(
                Gen.Select(Gen.Int[0, 4], Gen.Int[0, 1], Gen.Int[0, 3], Gen.Int[-1, 3]),
                Gen.Select(Gen.Int[0, 3], Gen.Int[1, 3], Gen.Int[0, 4], Gen.Int[0, 2], Gen.Int[0, 5]))
            .Array[0, 12]
            .Select(items => items.Select((t, i) =>
            {
                var ((cpu, gpu, priority, queue), (gang, minMembers, preempt, strategy, ready)) = t;
                var id = $"ns/w{i}";
                var cost = ResourceList.FromMilli([KeyValuePair.Create("cpu", cpu * 1000L), KeyValuePair.Create("gpu", gpu * 1000L)]);
                return new Workload(new PlacementRequest(id, cost), (AllocationStrategy)strategy, new QueueOrderKey(T0.AddSeconds(ready), T0, id))
                {
                    Priority = priority,
                    Queue = queue < 0 ? null : $"q{queue}",
                    Gang = Gangs[gang] is { } g ? new GangRef(g, minMembers) : null,
                    MayPreempt = preempt != 0,
                };
            }).ToArray());

    private static readonly Gen<(int, int, int, int, int, bool)[]> GenRunning =
        Gen.Select(Gen.Int[0, 4], Gen.Int[1, 4], Gen.Int[0, 3], Gen.Int[-1, 3], Gen.Int[0, 3], Gen.Int[0, 5]).Array[0, 10]
            .Select(items => items.Select(t => (t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6 == 0)).ToArray());

    private static readonly Gen<Scenario> GenScenario =
        Gen.Select(GenNodes, GenQueues, GenRunning, GenPending).Select((n, q, r, p) => new Scenario(n, q, r, p));

    /// <summary>
    /// Builds the tracker and the admitted workloads: each running one is held where it fits its node and keeps its queue
    /// within quota (so the cohort starts within the sum of its quotas); queues and gangs that do not exist are dropped.
    /// </summary>
    private static (IResourceTracker Tracker, List<AdmittedWorkload> Admitted, Dictionary<string, QueueQuota> Queues) Build(Scenario s)
    {
        var tracker = new SimpleResourceTracker();
        foreach (var n in s.Nodes)
        {
            tracker.SetNode(n.Name, n.Capacity);
        }

        var queues = s.Queues.ToDictionary(q => q.Name, StringComparer.Ordinal);
        var usage = new Dictionary<string, long>(StringComparer.Ordinal);
        var admitted = new List<AdmittedWorkload>();
        for (var i = 0; i < s.Running.Length; i++)
        {
            var (node, cpu, priority, queue, gang, terminating) = s.Running[i];
            var nodeName = s.Nodes[node % s.Nodes.Length].Name;
            var queueName = queue < 0 || queue >= s.Queues.Length ? null : s.Queues[queue].Name;
            var cost = ResourceList.FromMilli([KeyValuePair.Create("cpu", cpu * 1000L)]);
            if (queueName is not null && queues[queueName].Quota.Contains("cpu") && usage.GetValueOrDefault(queueName) + cost["cpu"] > queues[queueName].Quota["cpu"])
            {
                continue;
            }

            if (tracker.TryAllocate(nodeName, cost, $"ns/r{i}"))
            {
                if (queueName is not null)
                {
                    usage[queueName] = usage.GetValueOrDefault(queueName) + cost["cpu"];
                }

                admitted.Add(new AdmittedWorkload($"ns/r{i}", $"ns/r{i}", nodeName, cost)
                {
                    Priority = priority,
                    Queue = queueName,
                    Gang = Gangs[gang] is { } g ? g + "-running" : null,
                    Terminating = terminating,
                });
            }
        }

        return (tracker, admitted, queues);
    }

    private static CycleResult Run(Scenario s, IResourceTracker tracker, List<AdmittedWorkload> admitted, Dictionary<string, QueueQuota> queues) =>
        SchedulingCycle.Run(new CycleInput(new NodeSet(s.Nodes), tracker, [.. s.Pending.Select(w => w.Queue is { } q && !queues.ContainsKey(q) ? w with { Queue = null } : w)])
        {
            Queues = queues,
            Admitted = admitted,
            Gangs = GangBook.Empty,
        });

    [Fact]
    public void Quota_is_never_exceeded_beyond_what_borrowing_allows() =>
        GenScenario.Sample(s =>
        {
            var (tracker, admitted, queues) = Build(s);
            var result = Run(s, tracker, admitted, queues);
            var final = queues.Keys.ToDictionary(q => q, q => admitted.Where(a => a.Queue == q).Sum(a => a.Cost["cpu"])
                + result.Placed.Where(p => p.Workload.Queue == q).Sum(p => p.Workload.Placement.Cost["cpu"]), StringComparer.Ordinal);
            foreach (var q in queues.Values.Where(q => q.Quota.Contains("cpu")))
            {
                var allowed = q.Quota["cpu"] + (!q.HasCohort ? 0 : q.BorrowingLimit.Contains("cpu") ? q.BorrowingLimit["cpu"] : long.MaxValue / 4);
                Assert.True(final[q.Name] <= allowed, $"{q.Name} holds {final[q.Name]} of quota {q.Quota["cpu"]}");
            }

            // What a queue holds above its quota was left unused by the others of its cohort (a queue's own quota stays
            // guaranteed: within it, it is admitted whatever its cohort borrowed).
            var initial = queues.Keys.ToDictionary(q => q, q => admitted.Where(a => a.Queue == q).Sum(a => a.Cost["cpu"]), StringComparer.Ordinal);
            foreach (var q in queues.Values.Where(q => q.Quota.Contains("cpu") && final[q.Name] > q.Quota["cpu"]))
            {
                var lendable = queues.Values.Where(o => o.Name != q.Name && o.HasCohort && o.Cohort == q.Cohort && o.Quota.Contains("cpu"))
                    .Sum(o => o.Quota["cpu"] - initial[o.Name]);
                Assert.True(final[q.Name] - q.Quota["cpu"] <= lendable, $"{q.Name} borrows {final[q.Name] - q.Quota["cpu"]}; its cohort left {lendable} unused");
            }

            Assert.All(result.Queues, u => Assert.Equal(final[u.Queue], u.Usage["cpu"]));
        }, iter: 3000);

    [Fact]
    public void A_gang_is_never_partly_placed_and_nothing_of_an_unplaced_gang_is_held() =>
        GenScenario.Sample(s =>
        {
            var (tracker, admitted, queues) = Build(s);
            var result = Run(s, tracker, admitted, queues);
            var placed = result.Placed.Select(p => p.Workload.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var gang in s.Pending.Where(w => w.Gang is not null).GroupBy(w => w.Gang!.Key))
            {
                var count = gang.Count(w => placed.Contains(w.Id));
                Assert.True(count == 0 || count == gang.Count(), $"gang {gang.Key}: {count} of {gang.Count()} placed");
            }

            var held = tracker.Allocations().Select(a => a.Holder).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(admitted.Select(a => a.Holder).Concat(placed).Order(StringComparer.Ordinal), held.Order(StringComparer.Ordinal));
        }, iter: 3000);

    [Fact]
    public void Preemption_evicts_only_strictly_lower_priority_or_reclaimable_borrowers_and_whole_gangs() =>
        GenScenario.Sample(s =>
        {
            var (tracker, admitted, queues) = Build(s);
            var borrowing = queues.Values.Where(q => q.Quota.Contains("cpu")
                && admitted.Where(a => a.Queue == q.Name).Sum(a => a.Cost["cpu"]) > q.Quota["cpu"]).Select(q => q.Name).ToHashSet();
            var result = Run(s, tracker, admitted, queues);
            var victims = result.Preemptions.SelectMany(p => p.Victims).ToList();
            Assert.Equal(victims.Count, victims.Distinct().Count());
            foreach (var p in result.Preemptions)
            {
                Assert.True(p.Preemptor.MayPreempt);
                foreach (var v in p.Victims)
                {
                    Assert.False(v.Terminating);
                    var reclaim = p.Preemptor.Queue is { } q && queues[q].HasCohort && v.Queue is { } vq && vq != q
                        && queues[vq].Cohort == queues[q].Cohort && borrowing.Contains(vq);
                    Assert.True(v.Priority < p.Preemptor.Priority || reclaim, $"{p.Preemptor.Id} (priority {p.Preemptor.Priority}) evicts {v.Id} (priority {v.Priority})");
                }
            }

            foreach (var gang in victims.Where(v => v.Gang is not null).Select(v => v.Gang).Distinct())
            {
                Assert.All(admitted.Where(a => a.Gang == gang && !a.Terminating), a => Assert.Contains(a, victims));
            }
        }, iter: 3000);

    // One preemptor, no queues, no gangs: the search is exact and complete.
    private static readonly Gen<(NodeInfo[] Nodes, (int Node, int Cpu, int Priority, bool Terminating)[] Running, int Cpu, int Priority, int Strategy)> GenSingle =
        Gen.Select(GenNodes, Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 5]).Array[0, 10], Gen.Int[1, 8], Gen.Int[0, 4], Gen.Int[0, 2])
            .Select((nodes, running, cpu, priority, strategy) => (nodes, running.Select(r => (r.Item1, r.Item2, r.Item3, r.Item4 == 0)).ToArray(), cpu, priority, strategy));

    [Fact]
    public void Preemption_makes_room_with_necessary_victims_and_is_found_whenever_evicting_could_make_room() =>
        GenSingle.Sample(t =>
        {
            var tracker = new SimpleResourceTracker();
            foreach (var n in t.Nodes)
            {
                tracker.SetNode(n.Name, n.Capacity);
            }

            var admitted = new List<AdmittedWorkload>();
            for (var i = 0; i < t.Running.Length; i++)
            {
                var (node, cpu, priority, terminating) = t.Running[i];
                var cost = ResourceList.FromMilli([KeyValuePair.Create("cpu", cpu * 1000L)]);
                var name = t.Nodes[node % t.Nodes.Length].Name;
                if (tracker.TryAllocate(name, cost, $"r{i}"))
                {
                    admitted.Add(new AdmittedWorkload($"r{i}", $"r{i}", name, cost) { Priority = priority, Terminating = terminating });
                }
            }

            var need = ResourceList.FromMilli([KeyValuePair.Create("cpu", t.Cpu * 1000L)]);
            var preemptor = new Workload(new PlacementRequest("p", need), (AllocationStrategy)t.Strategy, new QueueOrderKey(T0, T0, "p")) { Priority = t.Priority };
            var available = t.Nodes.ToDictionary(n => n.Name, n => tracker.Available(n.Name)!["cpu"]);
            var result = SchedulingCycle.Run(new CycleInput(new NodeSet(t.Nodes), tracker, [preemptor]) { Admitted = admitted });
            long Lower(string node, bool terminating) => admitted.Where(a => a.Node == node && a.Priority < t.Priority && a.Terminating == terminating).Sum(a => a.Cost["cpu"]);
            if (result.Placed.Count == 1)
            {
                Assert.Empty(result.Preemptions);
                return;
            }

            var unplaced = Assert.Single(result.Unplaced);
            if (unplaced.Reason == Reasons.Preempting)
            {
                var node = unplaced.NominatedNode!;
                var victims = result.Preemptions.SingleOrDefault()?.Victims ?? [];
                Assert.All(victims, v => Assert.Equal(node, v.Node));
                var room = available[node] + Lower(node, terminating: true) + victims.Sum(v => v.Cost["cpu"]);
                Assert.True(need["cpu"] <= room, $"evicting {victims.Count} on {node} leaves {room} for {need["cpu"]}");
                Assert.All(victims, v => Assert.True(need["cpu"] > room - v.Cost["cpu"], $"{v.Id} did not need to go"));
                if (t.Strategy == (int)AllocationStrategy.FirstAvailable)
                {
                    // No earlier node could have made room.
                    foreach (var earlier in t.Nodes.Where(n => string.CompareOrdinal(n.Name, node) < 0))
                    {
                        Assert.True(need["cpu"] > available[earlier.Name] + Lower(earlier.Name, true) + Lower(earlier.Name, false));
                    }
                }
            }
            else
            {
                Assert.Empty(result.Preemptions);
                foreach (var n in t.Nodes)
                {
                    Assert.True(need["cpu"] > available[n.Name] + Lower(n.Name, true) + Lower(n.Name, false),
                        $"evicting everything of lower priority on {n.Name} would have made room, yet nothing was evicted");
                }
            }
        }, iter: 5000);

    // Queues with weights (and quotas too large to matter), one priority, room for everything.
    private static readonly Gen<(long[] Weights, int[] Queues, int[] Cpus)> GenFairShare =
        Gen.Select(Gen.Long[1, 4].Array[2, 5], Gen.Select(Gen.Int[0, 4], Gen.Int[1, 4]).Array[1, 30])
            .Select((weights, items) => (weights, items.Select(i => i.Item1 % weights.Length).ToArray(), items.Select(i => i.Item2).ToArray()));

    [Fact]
    public void Dominant_resource_fairness_picks_the_queue_with_the_lowest_weighted_share_each_time() =>
        GenFairShare.Sample(t =>
        {
            var tracker = new SimpleResourceTracker();
            var capacity = ResourceList.Of(("cpu", "1000"));
            tracker.SetNode("n", capacity);
            var queues = t.Weights.Select((w, i) => new QueueQuota($"q{i}") { WeightMilli = w * 1000, Quota = i % 2 == 0 ? ResourceList.Empty : ResourceList.Of(("cpu", "500")) })
                .ToDictionary(q => q.Name, StringComparer.Ordinal);
            Workload Pending(int q, int i)
            {
                var request = new PlacementRequest($"w{i:D2}", ResourceList.FromMilli([KeyValuePair.Create("cpu", t.Cpus[i] * 1000L)]));
                return new Workload(request, AllocationStrategy.FirstAvailable, new QueueOrderKey(T0.AddSeconds(i), T0, request.Id)) { Queue = $"q{q}" };
            }

            var pending = t.Queues.Select(Pending).ToList();
            var result = SchedulingCycle.Run(new CycleInput(new NodeSet([new NodeInfo("n", capacity)]), tracker, pending) { Queues = queues });
            Assert.Equal(pending.Count, result.Placed.Count);

            var usage = queues.Keys.ToDictionary(q => q, _ => ResourceList.Empty, StringComparer.Ordinal);
            var remaining = pending.ToList();
            foreach (var placement in result.Placed)
            {
                var expected = remaining.Select(w => w.Queue!).Distinct()
                    .Select(q => (Share: DominantShare.Of(usage[q], queues[q].Quota, capacity, queues[q].WeightMilli), Queue: q))
                    .OrderBy(x => x.Share).ThenBy(x => x.Queue, StringComparer.Ordinal).First().Queue;
                Assert.Equal(expected, placement.Workload.Queue);
                Assert.Equal(remaining.First(w => w.Queue == expected), placement.Workload);
                usage[expected] = usage[expected].Add(placement.Workload.Placement.Cost);
                remaining.Remove(placement.Workload);
            }
        }, iter: 2000);

    [Fact]
    public void With_one_queue_no_quota_and_one_priority_the_cycle_decides_as_the_first_rounds() =>
        Gen.Select(GenNodes, GenPending, GenRunning).Sample((nodes, pending, running) =>
        {
            var plain = pending.Select((w, i) => w with
            {
                Priority = 0,
                Queue = null,
                Gang = null,
                Placement = i % 4 == 3 ? w.Placement with { CollocateWith = pending[i / 2].Id } : i % 5 == 4 ? w.Placement with { Node = nodes[0].Name } : w.Placement,
            }).ToList();
            IResourceTracker Tracker(List<AdmittedWorkload> admitted)
            {
                var tracker = new SimpleResourceTracker();
                foreach (var n in nodes)
                {
                    tracker.SetNode(n.Name, n.Capacity);
                }

                foreach (var (node, cpu, _, _, _, _) in running)
                {
                    var cost = ResourceList.FromMilli([KeyValuePair.Create("cpu", cpu * 1000L)]);
                    var name = nodes[node % nodes.Length].Name;
                    if (tracker.TryAllocate(name, cost, $"r{admitted.Count}"))
                    {
                        admitted.Add(new AdmittedWorkload($"r{admitted.Count}", $"r{admitted.Count}", name, cost));
                    }
                }

                return tracker;
            }

            var admitted = new List<AdmittedWorkload>();
            var ours = SchedulingCycle.Run(new CycleInput(new NodeSet(nodes), Tracker(admitted), plain) { Admitted = admitted });
            var reference = ReferenceFifoCycle.Run(new CycleInput(new NodeSet(nodes), Tracker([]), plain));
            Assert.Equal(reference.Placed.Select(p => (p.Workload.Id, p.Node, p.Held)), ours.Placed.Select(p => (p.Workload.Id, p.Node, p.Held)));
            Assert.Equal(reference.Unplaced.Select(u => (u.Workload.Id, u.Reason, u.Message)), ours.Unplaced.Select(u => (u.Workload.Id, u.Reason, u.Message)));
            Assert.Empty(ours.Preemptions);
        }, iter: 3000);
}
