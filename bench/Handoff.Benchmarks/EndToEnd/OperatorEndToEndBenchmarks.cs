using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// Issue 6's end-to-end benchmark: N HandoffFunctions created at once on 5,000 HandoffNodes, through the real
/// operator (its own process) against the sandbox API server. BenchmarkDotNet times the whole run (create → all
/// bound → reported Scheduled → operator idle); the <see cref="EndToEndColumns"/> add what the run measured inside:
/// functions bound per second, create→bound latency, the operator's API requests per function and its memory.
/// A fresh cluster and operator per iteration, so every run starts from the same state.
/// </summary>
[Config(typeof(EndToEndConfig))]
public class OperatorEndToEndBenchmarks
{
    public const int Nodes = 5_000;
    private EndToEndCluster _cluster = null!;

    [Params(1_000, 10_000)]
    public int Functions { get; set; }

    [IterationSetup]
    public void StartCluster() => _cluster = EndToEndCluster.StartAsync(Nodes, CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public async Task CreateAndBind()
    {
        var result = await EndToEndRun.RunAsync(_cluster, Functions, CancellationToken.None);
        EndToEndColumns.Record(typeof(OperatorEndToEndBenchmarks), Functions, result);
    }

    [IterationCleanup]
    public void StopCluster() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>
/// The memory target's setting: 50,000 functions known (all bound) on 5,000 HandoffNodes. One run (it takes about a
/// minute); the columns give the operator's working set, its peak and the GC heap.
/// </summary>
[Config(typeof(EndToEndConfig))]
[IterationCount(1)]
public class OperatorMemoryBenchmarks
{
    private EndToEndCluster _cluster = null!;

    [Params(50_000)]
    public int Functions { get; set; }

    [IterationSetup]
    public void StartCluster() =>
        _cluster = EndToEndCluster.StartAsync(OperatorEndToEndBenchmarks.Nodes, CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public async Task CreateAndBind()
    {
        var result = await EndToEndRun.RunAsync(_cluster, Functions, CancellationToken.None);
        EndToEndColumns.Record(typeof(OperatorMemoryBenchmarks), Functions, result);
    }

    [IterationCleanup]
    public void StopCluster() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>
/// In-process (the columns read what the runs recorded in this process), one invocation per iteration, no warm-up
/// iteration (a run is seconds long; JIT is part of what an operator pays once), three iterations.
/// </summary>
public sealed class EndToEndConfig : ManualConfig
{
    public EndToEndConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(0)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("EndToEnd"));
        AddColumn(EndToEndColumns.All);
        AddExporter(JsonExporter.Full);
    }
}
