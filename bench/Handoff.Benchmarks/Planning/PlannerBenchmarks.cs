using System.Globalization;
using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Dag;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;
using Handoff.Core.Planning;
using Handoff.Core.Resources;

namespace Handoff.Benchmarks.Planning;

/// <summary>Room in the cluster for the planner benchmark's functions.</summary>
public enum Room
{
    /// <summary>Nodes of 128 cpu: every function fits at once, so each instant places whatever is ready.</summary>
    All,

    /// <summary>
    /// Nodes of max(1, 0.16 · functions / nodes) cpu (1 at 10,000 functions, 16 at 100,000): most functions wait and
    /// are tried again at every instant, the case the planner's reuse of failed decisions is for.
    /// </summary>
    Tight,
}

/// <summary>
/// The planner (<c>handoff plan</c>, default options, so the indexed tracker) simulating a whole workflow: functions
/// of the wide shape (a tenth are roots, the rest take two roots) costing 1 cpu and 1000 memory each, 1 s each, on
/// 1,000 nodes of 256000 memory and the cpu <see cref="Room"/> gives. Three warm-up runs first: a cold run also pays
/// for JIT and tiering (~2 s of a ~3 s cold run at 100,000), and the first case measured is still partly
/// unoptimized code after one.
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

    [Params(Room.All, Room.Tight)]
    public Room Room { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var cpu = Room == Room.All ? 128 : Math.Max(1, Functions * 16 / 100 / Nodes);
        var capacity = ResourceList.Of(("cpu", cpu.ToString(CultureInfo.InvariantCulture)), ("memory", "256000"));
        var cost = ResourceList.Of(("cpu", "1"), ("memory", "1000"));
        _nodes = [.. Enumerable.Range(0, Nodes).Select(i => new NodeInfo($"node-{i:D5}", capacity))];
        _functions = [.. DagShapes.Create(DagShape.Wide, Functions)
            .Select(f => new PlanFunction(new PlacementRequest(f.Id, cost), f.Args))];
    }

    [Benchmark]
    public TimeSpan Plan() => Planner.Run(_nodes, _functions).Makespan;
}
