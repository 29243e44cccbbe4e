using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;
using Handoff.Core.Tracking.Indexing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Benchmarks.Planning;

/// <summary>
/// One SchedulingCycle placing 10,000 ready functions (1 cpu, 1000 memory, FirstAvailable) on 5,000 empty
/// nodes of 32 cpu: decision + atomic allocation per function, as the operator and planner run it, with the plain
/// tracker and with the indexed one. Each iteration starts from a fresh tracker.
/// </summary>
[Config(typeof(SlowConfig))]
public class SchedulerCycleBenchmarks
{
    private NodeSet _nodes = NodeSet.Empty;
    private List<Workload> _workloads = [];
    private IResourceTracker _tracker = null!;

    [Params(5_000)]
    public int Nodes { get; set; }

    [Params(10_000)]
    public int Functions { get; set; }

    [Params(false, true)]
    public bool Indexed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var capacity = ResourceList.Of(("cpu", "32"), ("memory", "64000"));
        var cost = ResourceList.Of(("cpu", "1"), ("memory", "1000"));
        _nodes = new NodeSet(Enumerable.Range(0, Nodes).Select(i => new NodeInfo($"node-{i:D5}", capacity)));
        var created = DateTimeOffset.UnixEpoch;
        _workloads = [.. Enumerable.Range(0, Functions).Select(i => $"default/f-{i:D6}")
            .Select(id => new Workload(new PlacementRequest(id, cost), AllocationStrategy.FirstAvailable, new QueueOrderKey(created, created, id)))];
    }

    [IterationSetup]
    public void FreshTracker()
    {
        IResourceTracker tracker = Indexed ? new IndexedResourceTracker() : new SimpleResourceTracker();
        foreach (var node in _nodes)
        {
            tracker.SetNode(node.Name, node.Capacity);
        }

        _tracker = tracker;
    }

    [Benchmark]
    public int ScheduleCycle()
    {
        var result = SchedulingCycle.Run(new CycleInput(_nodes, _tracker, _workloads));
        return result.Unplaced.Count == 0 ? result.Placed.Count : throw new InvalidOperationException("every function must fit");
    }
}
