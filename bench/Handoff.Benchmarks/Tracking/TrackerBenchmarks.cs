using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Allocation;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Resources;

namespace Handoff.Benchmarks.Tracking;

/// <summary>
/// Tracker allocate + release of one function on a partly full cluster, with the plain tracker and with the
/// indexed one (which also updates its dense row and tree path). One operation = TryAllocate then Release.
/// </summary>
[Config(typeof(FastConfig))]
public class TrackerBenchmarks
{
    private Cluster _cluster = null!;
    private ResourceList _cost = null!;
    private string _node = "";

    [Params(1_000, 5_000)]
    public int Nodes { get; set; }

    [Params(8)]
    public int Resources { get; set; }

    [Params(false, true)]
    public bool Indexed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = Cluster.Create(Nodes, Resources, Indexed);
        _cost = _cluster.Request.Cost;
        _node = $"node-{Nodes - 1:D5}";
    }

    [Benchmark]
    public bool AllocateAndRelease() =>
        _cluster.Tracker.TryAllocate(_node, _cost, "default/bench") & _cluster.Tracker.Release("default/bench");
}
