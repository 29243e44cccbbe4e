using BenchmarkDotNet.Attributes;

namespace Handoff.Benchmarks.EndToEnd;

// The round-2 scenarios as BenchmarkDotNet classes (one command per target, docs/performance.md "Round 2"). Each
// iteration has a fresh sandbox, 5,000 nodes and a fresh operator; BenchmarkDotNet's own time is the whole run, the
// columns are what the run measured inside. Four small classes in one file: they differ only in the run they call.

/// <summary>The operator idle on 5,000 nodes: working set, peak, GC heap, CPU to start and while idle.</summary>
[Config(typeof(Columns))]
public class OperatorIdleBenchmarks
{
    private EndToEndCluster _cluster = null!;

    [Params(OperatorEndToEndBenchmarks.Nodes)]
    public int Nodes { get; set; }

    [IterationSetup]
    public void StartCluster() => _cluster = EndToEndCluster.StartAsync(Nodes, CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public async Task Idle() => ScenarioColumns.Record(GetType(), Nodes, await IdleRun.RunAsync(_cluster, TimeSpan.FromSeconds(30), CancellationToken.None));

    [IterationCleanup]
    public void StopCluster() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class Columns() : ScenarioConfig(
        3,
        ScenarioColumns.Column("Ready s", "operator process start → /readyz", "F2"),
        ScenarioColumns.Column("Startup CPU s", "operator CPU from start to its first idle", "F1"),
        ScenarioColumns.Column("Idle WS MB", "working set after 30 s idle"),
        ScenarioColumns.Column("Peak WS MB", "peak working set since start (VmHWM)"),
        ScenarioColumns.Column("Heap MB", "GC heap after 30 s idle"),
        ScenarioColumns.Column("Idle mCPU", "CPU while idle, millicores"),
        ScenarioColumns.Column("Load", "1-minute load average at the end", "F1"));
}

/// <summary>A steady stream of 500 functions/s for 30 s on 5,000 nodes: p99 create→bound and create→Scheduled.</summary>
[Config(typeof(Columns))]
public class OperatorSteadyStreamBenchmarks
{
    private EndToEndCluster _cluster = null!;

    [Params(500)]
    public int Rate { get; set; }

    [IterationSetup]
    public void StartCluster() =>
        _cluster = EndToEndCluster.StartAsync(OperatorEndToEndBenchmarks.Nodes, CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public async Task Stream() =>
        ScenarioColumns.Record(GetType(), Rate, await SteadyStreamRun.RunAsync(_cluster, Rate, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3), CancellationToken.None));

    [IterationCleanup]
    public void StopCluster() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class Columns() : ScenarioConfig(
        3,
        ScenarioColumns.Column("Created/s", "functions created per second"),
        ScenarioColumns.Column("Bound p50 ms", "median create → bound"),
        ScenarioColumns.Column("Bound p99 ms", "99th percentile create → bound"),
        ScenarioColumns.Column("Scheduled p50 ms", "median create → status Scheduled"),
        ScenarioColumns.Column("Scheduled p99 ms", "99th percentile create → status Scheduled"),
        ScenarioColumns.Column("Passes", "reconcile passes"),
        ScenarioColumns.Column("Op CPU %", "operator CPU, % of one core"),
        ScenarioColumns.Column("Writes/fn", "operator API writes per function", "F2"),
        ScenarioColumns.Column("Peak WS MB", "operator peak working set during the stream"),
        ScenarioColumns.Column("Load", "1-minute load average at the end", "F1"));
}

/// <summary>Failover with 50,000 functions and 5,000 nodes in the cluster: → the first binding of work waiting at that moment.</summary>
[Config(typeof(Columns))]
public class OperatorFailoverBenchmarks
{
    private EndToEndCluster _cluster = null!;

    [Params(FailoverMode.Restart, FailoverMode.StandbyGraceful, FailoverMode.StandbyKilled)]
    public FailoverMode Mode { get; set; }

    [IterationSetup]
    public void StartCluster() =>
        _cluster = EndToEndCluster.StartAsync(OperatorEndToEndBenchmarks.Nodes, CancellationToken.None, startOperator: false).GetAwaiter().GetResult();

    [Benchmark]
    public async Task Failover() =>
        ScenarioColumns.Record(GetType(), Mode, await FailoverRun.RunAsync(_cluster, Mode, 50_000, 100, CancellationToken.None));

    [IterationCleanup]
    public void StopCluster() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class Columns() : ScenarioConfig(
        1,
        ScenarioColumns.Column("Prepared s", "restart: start → ready; standby: signal → old leader exited", "F2"),
        ScenarioColumns.Column("First bind s", "→ first pending function bound (the failover time)", "F2"),
        ScenarioColumns.Column("All bound s", "→ all 100 pending functions bound", "F2"),
        ScenarioColumns.Column("Peak WS MB", "new leader's peak working set"),
        ScenarioColumns.Column("Load", "1-minute load average at the end", "F1"));
}

/// <summary>200,000 functions in 10 waves, each finishing: is the operator's memory and pass time flat?</summary>
[Config(typeof(Columns))]
public class OperatorLongRunBenchmarks
{
    private EndToEndCluster _cluster = null!;

    [Params(200_000)]
    public int Functions { get; set; }

    [IterationSetup]
    public void StartCluster() =>
        _cluster = EndToEndCluster.StartAsync(OperatorEndToEndBenchmarks.Nodes, CancellationToken.None, podDuration: TimeSpan.FromSeconds(1))
            .GetAwaiter().GetResult();

    [Benchmark]
    public async Task Waves()
    {
        var result = await LongRun.RunAsync(_cluster, Functions, 10, TimeSpan.FromSeconds(1), null, CancellationToken.None);
        Console.WriteLine(result.Table());
        ScenarioColumns.Record(GetType(), Functions, result);
    }

    [IterationCleanup]
    public void StopCluster() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class Columns() : ScenarioConfig(
        1,
        ScenarioColumns.Column("First peak WS MB", "operator peak working set, first wave"),
        ScenarioColumns.Column("Last peak WS MB", "operator peak working set, last wave"),
        ScenarioColumns.Column("WS growth %", "last wave's peak over the first's (flat: ≤ 10 %)"),
        ScenarioColumns.Column("First pass ms", "mean reconcile pass, first wave", "F1"),
        ScenarioColumns.Column("Last pass ms", "mean reconcile pass, last wave", "F1"),
        ScenarioColumns.Column("Pass growth %", "last wave's mean pass over the first's (flat: ≤ 25 %)"),
        ScenarioColumns.Column("Functions left", "HandoffFunctions left in the cluster at the end"),
        ScenarioColumns.Column("Pods left", "function pods left in the cluster at the end"),
        ScenarioColumns.Column("Load", "1-minute load average at the end", "F1"));
}
