using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;

namespace Handoff.Benchmarks.Allocation;

/// <summary>
/// The scan baseline and FirstAvailable on the <see cref="Cluster"/> a subclass builds in its setup
/// (<see cref="Use"/>). Decisions do not change the tracker, so every invocation decides on the same state.
/// </summary>
[Config(typeof(FastConfig))]
public abstract class DecisionBenchmarks
{
    // Fields, as in the benchmarks before they shared this class: a measured call reads them directly.
    private protected Cluster _cluster = null!;
    private int _resources;

    [Benchmark(Baseline = true, Description = "ScanBaseline")]
    public int ScanBaseline() => Cluster.ScanOnce(_cluster.AvailableTable, _resources, Cluster.RequestMilli);

    [Benchmark]
    public string? FirstAvailable() => Allocators.FirstAvailable.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;

    /// <summary>The cluster every benchmark of this class decides on.</summary>
    protected void Use(Cluster cluster)
    {
        _cluster = cluster;
        _resources = cluster.ResourceNames.Length;
    }
}

/// <summary><see cref="DecisionBenchmarks"/> plus the scoring strategies, LoadBalanced and BestFit.</summary>
public abstract class AllStrategiesBenchmarks : DecisionBenchmarks
{
    [Benchmark]
    public string? LoadBalanced() => Allocators.LoadBalanced.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;

    [Benchmark]
    public string? BestFit() => Allocators.BestFit.Allocate(_cluster.Request, _cluster.Nodes, _cluster.Tracker).Node;
}

/// <summary>
/// One allocation decision per strategy on a partly full cluster (see <see cref="Cluster"/>), with the
/// <c>IndexedResourceTracker</c>, against the scan baseline: one pass over the same capacity table.
/// </summary>
public class AllocationBenchmarks : AllStrategiesBenchmarks
{
    [Params(10, 100, 1_000, 5_000, 20_000)]
    public int Nodes { get; set; }

    [Params(4, 8, 16)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Use(Cluster.Create(Nodes, Resources, indexed: true));
        if (ScanBaseline() != Nodes - (Nodes * 9 / 10) || FirstAvailable() != $"node-{Nodes * 9 / 10:D5}")
        {
            throw new InvalidOperationException("fixture: unexpected fitting nodes");
        }
    }
}

/// <summary>
/// The same decisions with the plain <c>SimpleResourceTracker</c> (no index: the allocators read each node's
/// resource lists through the tracker), to show what the index buys. A smaller grid: these take milliseconds.
/// </summary>
public class PlainTrackerAllocationBenchmarks : AllStrategiesBenchmarks
{
    [Params(1_000, 5_000)]
    public int Nodes { get; set; }

    [Params(8)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup() => Use(Cluster.Create(Nodes, Resources, indexed: false));
}

/// <summary>
/// FirstAvailable with the index when each packed node is short of a random resource: the case where the
/// per-resource maxima of a subtree rarely exclude it, so the descent visits many more tree nodes.
/// </summary>
public class RandomShortageAllocationBenchmarks : DecisionBenchmarks
{
    [Params(1_000, 5_000, 20_000)]
    public int Nodes { get; set; }

    [Params(8)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup() => Use(Cluster.Create(Nodes, Resources, indexed: true, Shortage.Random));
}
