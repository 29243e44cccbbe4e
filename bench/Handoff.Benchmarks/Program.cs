using System.Globalization;
using BenchmarkDotNet.Running;
using Handoff.Benchmarks.EndToEnd;

namespace Handoff.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen by BenchmarkDotNet's command line, e.g.
/// <c>dotnet run -c Release --project bench/Handoff.Benchmarks -- --filter '*'</c> or <c>--filter '*AllocationBenchmarks*'</c>;
/// or one end-to-end scenario without BenchmarkDotNet (to profile the operator with dotnet-trace, dotnet-counters or
/// dotnet-gcdump, or to try a build or runtime setting through <c>HANDOFF_BENCH_OPERATOR</c> /
/// <c>HANDOFF_BENCH_OPERATOR_ENV</c>, see <see cref="OperatorProcess"/>):
/// <list type="bullet">
/// <item><c>endtoend [functions=10000] [nodes=5000] [--hold]</c>: a burst (<c>--hold</c> keeps everything up until Enter)</item>
/// <item><c>idle [nodes=5000] [settle-seconds=30]</c>: the operator idle on the nodes</item>
/// <item><c>stream [rate=500] [seconds=30] [nodes=5000] [warmup-seconds=3]</c>: a steady stream of creates, after a
/// warm-up stream at the same rate (0: none)</item>
/// <item><c>failover restart|graceful|killed [functions=50000] [nodes=5000] [pending=100]</c></item>
/// <item><c>longrun [functions=200000] [waves=10] [nodes=5000] [pod-seconds=1]</c></item>
/// </list>
/// and <c>copies &lt;dump&gt; &lt;regex&gt; [samples=30]</c>: who holds each copy of equal strings in a heap dump
/// (<see cref="Heap.StringCopies"/>).
/// Every scenario run is also appended to <c>BenchmarkDotNet.Artifacts/results/EndToEnd-runs.jsonl</c>.
/// See docs/performance.md.
/// </summary>
public static class BenchmarkProgram
{
    private const int Nodes = OperatorEndToEndBenchmarks.Nodes;

    private static bool _hold;

    public static async Task<int> Main(string[] args)
    {
        if (args is ["copies", var dump, var pattern, ..])
        {
            return Heap.StringCopies.Run(dump, pattern, Int(args[3..], 0, 30));
        }

        _hold = args.Contains("--hold");
        string[] rest = [.. args.Skip(1).Where(a => a != "--hold")];
        Func<Task>? scenario = args.FirstOrDefault() switch
        {
            "endtoend" => () => BurstAsync(Int(rest, 0, 10_000), Int(rest, 1, Nodes), Int(rest, 2, 0)),
            "idle" => () => IdleAsync(Int(rest, 0, Nodes), Int(rest, 1, 30)),
            "stream" => () => StreamAsync(Int(rest, 0, 500), Int(rest, 1, 30), Int(rest, 2, Nodes), Int(rest, 3, 3)),
            "failover" => () => FailoverAsync(rest.FirstOrDefault(), Int(rest, 1, 50_000), Int(rest, 2, Nodes), Int(rest, 3, 100)),
            "longrun" => () => LongRunAsync(Int(rest, 0, 200_000), Int(rest, 1, 10), Int(rest, 2, Nodes), Int(rest, 3, 1)),
            _ => null,
        };
        if (scenario is null)
        {
            BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
            return 0;
        }

        await scenario();
        return 0;
    }

    /// <summary>With <c>--hold</c>, keeps the cluster and the operator up until Enter (call it before they are disposed).</summary>
    private static async Task HoldAsync()
    {
        if (_hold)
        {
            Console.WriteLine("holding the cluster and the operator for inspection; press Enter to stop");
            await Console.In.ReadLineAsync();
        }
    }

    private static int Int(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

    /// <param name="settleSeconds">When above 0, the operator's memory is reported again after that long idle after the burst ("steady").</param>
    private static async Task BurstAsync(int functions, int nodes, int settleSeconds)
    {
        await using var cluster = await EndToEndCluster.StartAsync(nodes, CancellationToken.None);
        var idle = await cluster.Operator.MemoryAsync(CancellationToken.None);
        Console.WriteLine($"operator pid {cluster.Operator.Pid.ToString(CultureInfo.InvariantCulture)} ready with {nodes} nodes after {cluster.Operator.CpuTime().TotalSeconds:F1} s of CPU, {idle.WorkingSetBytes / 1048576} MB working set (peak {idle.PeakWorkingSetBytes / 1048576} MB); metrics at {cluster.Operator.MetricsAddress}");
        var result = await EndToEndRun.RunAsync(cluster, functions, CancellationToken.None);
        Console.WriteLine(result.Describe());
        ScenarioColumns.AppendRun("endtoend", new
        {
            Kind = "burst",
            result.Functions,
            result.Nodes,
            result.BoundPerSecond,
            result.WritesPerFunction,
            result.LatencyP99Ms,
            OperatorCpuSeconds = result.OperatorCpu.TotalSeconds,
            result.Memory,
            result.PeakManagedHeapBytes,
            IdleMemory = idle,
            result.Load,
        });
        if (settleSeconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(settleSeconds));
            var settled = await cluster.Operator.MemoryAsync(CancellationToken.None);
            Console.WriteLine($"after {settleSeconds} s idle: working set {settled.WorkingSetBytes / 1048576} MB (peak {settled.PeakWorkingSetBytes / 1048576} MB), GC heap {settled.ManagedHeapBytes / 1048576} MB");
        }

        await HoldAsync();
    }

    private static async Task IdleAsync(int nodes, int settleSeconds)
    {
        await using var cluster = await EndToEndCluster.StartAsync(nodes, CancellationToken.None);
        Report(await IdleRun.RunAsync(cluster, TimeSpan.FromSeconds(settleSeconds), CancellationToken.None), "idle");
        await HoldAsync();
    }

    private static async Task StreamAsync(int rate, int seconds, int nodes, int warmupSeconds)
    {
        await using var cluster = await EndToEndCluster.StartAsync(nodes, CancellationToken.None);
        Report(await SteadyStreamRun.RunAsync(cluster, rate, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmupSeconds), CancellationToken.None), "stream");
        await HoldAsync();
    }

    private static async Task FailoverAsync(string? modeName, int functions, int nodes, int pending)
    {
        var mode = modeName switch
        {
            "restart" => FailoverMode.Restart,
            "graceful" => FailoverMode.StandbyGraceful,
            "killed" => FailoverMode.StandbyKilled,
            _ => throw new ArgumentException($"failover: '{modeName}' is not restart, graceful or killed"),
        };
        await using var cluster = await EndToEndCluster.StartAsync(nodes, CancellationToken.None, startOperator: false);
        Report(await FailoverRun.RunAsync(cluster, mode, functions, pending, CancellationToken.None), "failover");
        await HoldAsync();
    }

    private static async Task LongRunAsync(int functions, int waves, int nodes, int podSeconds)
    {
        var podDuration = TimeSpan.FromSeconds(podSeconds);
        await using var cluster = await EndToEndCluster.StartAsync(nodes, CancellationToken.None, podDuration);
        var result = await LongRun.RunAsync(
            cluster, functions, waves, podDuration,
            wave => Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"wave {wave.Wave}: {wave.Functions} functions in {wave.Duration.TotalSeconds:F1} s, peak working set {wave.PeakWorkingSetBytes / 1048576} MB, {wave.Passes} passes of {wave.MeanPassMs:F1} ms mean, {wave.FunctionsLeft} functions and {wave.PodsLeft} pods left, load {wave.Load:F1}")),
            CancellationToken.None);
        Console.WriteLine(result.Table());
        Report(result, "longrun");
        await HoldAsync();
    }

    private static void Report(IRunResult result, string name)
    {
        Console.WriteLine(result.Describe());
        ScenarioColumns.AppendRun(name, result.Details);
    }
}
