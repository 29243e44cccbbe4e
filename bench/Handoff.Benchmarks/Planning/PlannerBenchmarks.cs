using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Dag;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;

namespace Handoff.Benchmarks.Planning;

/// <summary>
/// The planner (<c>handoff plan</c>, default options, so the indexed tracker) simulating a whole workflow: functions
/// of the wide shape (a tenth are roots, the rest take two roots) costing 1 cpu and 1000 memory each, on 1,000 nodes
/// of 128 cpu and 256000 memory (room for every function at once, so each instant places whatever is ready). With
/// less room, every function still waiting is tried (and explained) against every node at every instant: see
/// docs/performance.md. Three warm-up runs first: a cold run also pays for JIT and tiering (~2 s of a ~3 s cold run
/// at 100,000), and the 10,000 case, measured first, is still partly unoptimized code after one.
/// </summary>
[Config(typeof(SlowConfig))]
[WarmupCount(3)]
[IterationCount(5)]
public class PlannerBenchmarks
{
    private List<NodeInfo> _nodes = [];
    private List<PlanFunction> _functions = [];

    [Params(10_000, 100_000)]
    public int Functions { get; set; }

    [Params(1_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var capacity = ResourceList.Of(("cpu", "128"), ("memory", "256000"));
        var cost = ResourceList.Of(("cpu", "1"), ("memory", "1000"));
        _nodes = [.. Enumerable.Range(0, Nodes).Select(i => new NodeInfo($"node-{i:D5}", capacity))];
        _functions = [.. DagShapes.Create(DagShape.Wide, Functions)
            .Select(f => new PlanFunction(new SchedulingRequest(new PlacementRequest(f.Id, cost)), f.Args))];
    }

    [Benchmark]
    public TimeSpan Plan() => Planner.Run(_nodes, _functions).Makespan;
}
