using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Dag;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;

namespace Handoff.Benchmarks.Planning;

/// <summary>
/// The planner (<c>handoff plan</c>) simulating a whole workflow: functions of the wide shape (a tenth are roots,
/// the rest take two roots) costing 1 cpu and 1000 memory each, on nodes of 16 cpu and 64000 memory.
/// </summary>
[Config(typeof(SlowConfig))]
public class PlannerBenchmarks
{
    private List<NodeInfo> _nodes = [];
    private List<PlanFunction> _functions = [];

    [Params(100_000)]
    public int Functions { get; set; }

    [Params(1_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var capacity = ResourceList.Of(("cpu", "16"), ("memory", "64000"));
        var cost = ResourceList.Of(("cpu", "1"), ("memory", "1000"));
        _nodes = [.. Enumerable.Range(0, Nodes).Select(i => new NodeInfo($"node-{i:D5}", capacity))];
        _functions = [.. DagShapes.Create(DagShape.Wide, Functions)
            .Select(f => new PlanFunction(new SchedulingRequest(new PlacementRequest(f.Id, cost)), f.Args))];
    }

    [Benchmark]
    public TimeSpan Plan() => Planner.Run(_nodes, _functions).Makespan;
}
