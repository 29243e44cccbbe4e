using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;

namespace Handoff.Benchmarks.Allocation;

/// <summary>
/// One allocation decision per strategy on a partly full cluster (see <see cref="Cluster"/>), with the
/// <c>IndexedResourceTracker</c>, against the scan baseline: one pass over the same
/// capacity table. Decisions do not change the tracker, so every invocation decides on the same state.
/// </summary>
[Config(typeof(FastConfig))]
public class AllocationBenchmarks
{
    private Cluster _cluster = null!;

    [Params(10, 100, 1_000, 5_000, 20_000)]
    public int Nodes { get; set; }

    [Params(4, 8, 16)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = Cluster.Create(Nodes, Resources, indexed: true);
        var expected = Cluster.ScanOnce(_cluster.AvailableTable, Resources, Cluster.RequestMilli);
        if (expected != Nodes - (Nodes * 9 / 10) || FirstAvailable() != $"node-{Nodes * 9 / 10:D5}")
        {
            throw new InvalidOperationException("fixture: unexpected fitting nodes");
        }
    }

    [Benchmark(Baseline = true, Description = "ScanBaseline")]
    public int ScanBaseline() => Cluster.ScanOnce(_cluster.AvailableTable, Resources, Cluster.RequestMilli);

    [Benchmark]
    public string? FirstAvailable() => Allocators.FirstAvailable.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;

    [Benchmark]
    public string? LoadBalanced() => Allocators.LoadBalanced.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;

    [Benchmark]
    public string? BestFit() => Allocators.BestFit.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;
}

/// <summary>
/// The same decisions with the plain <c>SimpleResourceTracker</c> (no index: the allocators read each node's
/// resource lists through the tracker), to show what the index buys. A smaller grid: these take milliseconds.
/// </summary>
[Config(typeof(FastConfig))]
public class PlainTrackerAllocationBenchmarks
{
    private Cluster _cluster = null!;

    [Params(1_000, 5_000)]
    public int Nodes { get; set; }

    [Params(8)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup() => _cluster = Cluster.Create(Nodes, Resources, indexed: false);

    [Benchmark(Baseline = true, Description = "ScanBaseline")]
    public int ScanBaseline() => Cluster.ScanOnce(_cluster.AvailableTable, Resources, Cluster.RequestMilli);

    [Benchmark]
    public string? FirstAvailable() => Allocators.FirstAvailable.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;

    [Benchmark]
    public string? LoadBalanced() => Allocators.LoadBalanced.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;

    [Benchmark]
    public string? BestFit() => Allocators.BestFit.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;
}

/// <summary>
/// FirstAvailable with the index when each packed node is short of a random resource: the case where the
/// per-resource maxima of a subtree rarely exclude it, so the descent visits many more tree nodes.
/// </summary>
[Config(typeof(FastConfig))]
public class RandomShortageAllocationBenchmarks
{
    private Cluster _cluster = null!;

    [Params(1_000, 5_000, 20_000)]
    public int Nodes { get; set; }

    [Params(8)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup() => _cluster = Cluster.Create(Nodes, Resources, indexed: true, Shortage.Random);

    [Benchmark(Baseline = true, Description = "ScanBaseline")]
    public int ScanBaseline() => Cluster.ScanOnce(_cluster.AvailableTable, Resources, Cluster.RequestMilli);

    [Benchmark]
    public string? FirstAvailable() => Allocators.FirstAvailable.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;
}
