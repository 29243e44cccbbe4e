using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// As <see cref="EndToEndConfig"/> (in-process, one invocation per iteration, no warm-up iteration, a fresh cluster
/// per iteration) with the given number of iterations and <see cref="ScenarioColumns"/>.
/// </summary>
public abstract class ScenarioConfig : ManualConfig
{
    protected ScenarioConfig(int iterations, params IColumn[] columns)
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(0)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Scenario"));
        AddColumn(columns);
        AddExporter(JsonExporter.Full);
    }
}
