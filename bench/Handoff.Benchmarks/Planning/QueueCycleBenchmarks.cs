using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;

namespace Handoff.Benchmarks.Planning;

/// <summary>
/// One SchedulingCycle over 10,000 ready functions (1 cpu, 1000 memory, FirstAvailable) on 5,000 empty nodes of 32 cpu
/// with the indexed tracker: without queues (the first round's cycle: <see cref="NoQueues"/>, the baseline), and with
/// 50 HandoffQueues (cpu quotas of 150–390 so that some queues run out, five cohorts of ten lending to each other,
/// weights 1–3, every fifth queue StrictFIFO), five priority levels and one function in ten in a gang of 8
/// (<see cref="QueuesPrioritiesGangs"/>). Each iteration starts from a fresh tracker. The minimum is shown too: on a
/// shared machine it is the steadiest figure.
/// </summary>
[Config(typeof(SlowConfig))]
[MinColumn]
public class QueueCycleBenchmarks
{
    private const int Queues = 50;
    private NodeSet _nodes = NodeSet.Empty;
    private List<Workload> _plain = [];
    private List<Workload> _queued = [];
    private Dictionary<string, QueueQuota> _queues = [];
    private IResourceTracker _tracker = null!;

    [Params(5_000)]
    public int Nodes { get; set; }

    [Params(10_000)]
    public int Functions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var capacity = ResourceList.Of(("cpu", "32"), ("memory", "64000"));
        var cost = ResourceList.Of(("cpu", "1"), ("memory", "1000"));
        _nodes = new NodeSet(Enumerable.Range(0, Nodes).Select(i => new NodeInfo($"node-{i:D5}", capacity)));
        var created = DateTimeOffset.UnixEpoch;
        _plain = [.. Enumerable.Range(0, Functions).Select(i => $"default/f-{i:D6}")
            .Select(id => new Workload(new PlacementRequest(id, cost), AllocationStrategy.FirstAvailable, new QueueOrderKey(created, created, id)))];
        _queues = Enumerable.Range(0, Queues).Select(q => new QueueQuota($"q-{q:D2}")
        {
            Quota = ResourceList.FromMilli([KeyValuePair.Create("cpu", (150L + (q % 5 * 60)) * 1000)]),
            Cohort = $"cohort-{q / 10}",
            WeightMilli = (1 + (q % 3)) * 1000L,
            Strategy = q % 5 == 4 ? QueueingStrategy.StrictFIFO : QueueingStrategy.BestEffortFIFO,
        }).ToDictionary(q => q.Name, StringComparer.Ordinal);
        _queued = [.. _plain.Select((w, i) => w with
        {
            Queue = $"q-{i % Queues:D2}",
            Priority = i * 7 % 5,

            // One in ten in a gang: of every 400 functions, the 40 with i % 10 == 0 form 5 gangs of 8 (by i % 50).
            Gang = i % 10 == 0 ? new GangRef($"default/g-{i / 400}-{i % Queues}", 8) : null,
        })];

        // Members of one gang must agree on queue and priority: give each gang its first member's.
        var first = new Dictionary<string, Workload>(StringComparer.Ordinal);
        for (var i = 0; i < _queued.Count; i++)
        {
            if (_queued[i].Gang is { } g)
            {
                var lead = first.TryGetValue(g.Key, out var f) ? f : first[g.Key] = _queued[i];
                _queued[i] = _queued[i] with { Queue = lead.Queue, Priority = lead.Priority };
            }
        }
    }

    [IterationSetup]
    public void FreshTracker()
    {
        var tracker = new IndexedResourceTracker();
        foreach (var node in _nodes)
        {
            tracker.SetNode(node.Name, node.Capacity);
        }

        _tracker = tracker;
    }

    [Benchmark(Baseline = true)]
    public int NoQueues() => SchedulingCycle.Run(new CycleInput(_nodes, _tracker, _plain)).Placed.Count;

    [Benchmark]
    public int QueuesPrioritiesGangs()
    {
        var result = SchedulingCycle.Run(new CycleInput(_nodes, _tracker, _queued) { Queues = _queues, Gangs = GangBook.Empty });
        return result.Placed.Count + result.Unplaced.Count == Functions ? result.Placed.Count : throw new InvalidOperationException("every function must be decided");
    }
}
