using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters.Json;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Handoff.Benchmarks.Infrastructure;

/// <summary>
/// Short runs for the microsecond-scale benchmarks: in-process (no generated project to build per run), 2 warm-up
/// and 7 measured iterations of about 100 ms each, so the whole grid stays within a few minutes on 2 cores.
/// Results are also exported as full JSON, which scripts/plot-benchmarks reads.
/// </summary>
public sealed class FastConfig : ManualConfig
{
    public FastConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(7)
            .WithIterationTime(TimeInterval.FromMilliseconds(100))
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(JsonExporter.Full);
    }
}

/// <summary>
/// Monitoring runs (one invocation per iteration, 1 warm-up and 3 measured) for the benchmarks that take
/// milliseconds to seconds per operation: the scheduler cycle and the planner.
/// </summary>
public sealed class SlowConfig : ManualConfig
{
    public SlowConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithId("Monitoring"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(JsonExporter.Full);
    }
}
