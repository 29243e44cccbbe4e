using System.Diagnostics;
using System.Globalization;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>What a long run measured, wave by wave.</summary>
public sealed record LongRunResult : IRunResult
{
    /// <summary>The last wave's peak working set may exceed the first's by this fraction and still count as flat.</summary>
    public const double MemoryTolerance = 0.10;

    /// <summary>The last wave's mean pass time may exceed the first's by this fraction and still count as flat (passes are noisier than memory on a shared machine).</summary>
    public const double PassTimeTolerance = 0.25;

    public required int Nodes { get; init; }

    public required TimeSpan PodDuration { get; init; }

    public required IReadOnlyList<LongRunWave> Waves { get; init; }

    public int Functions => Waves.Sum(w => w.Functions);

    public double MemoryGrowth => (double)Waves[^1].PeakWorkingSetBytes / Waves[0].PeakWorkingSetBytes - 1;

    public double PassTimeGrowth => Waves[0].MeanPassMs == 0 ? 0 : Waves[^1].MeanPassMs / Waves[0].MeanPassMs - 1;

    public bool MemoryFlat => MemoryGrowth <= MemoryTolerance;

    public bool PassTimeFlat => PassTimeGrowth <= PassTimeTolerance;

    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["First peak WS MB"] = Waves[0].PeakWorkingSetBytes / 1048576.0,
        ["Last peak WS MB"] = Waves[^1].PeakWorkingSetBytes / 1048576.0,
        ["WS growth %"] = 100 * MemoryGrowth,
        ["First pass ms"] = Waves[0].MeanPassMs,
        ["Last pass ms"] = Waves[^1].MeanPassMs,
        ["Pass growth %"] = 100 * PassTimeGrowth,
        ["Functions left"] = Waves[^1].FunctionsLeft,
        ["Pods left"] = Waves[^1].PodsLeft,
        ["Load"] = Waves[^1].Load,
    };

    public object Details => new
    {
        Kind = "longrun",
        Nodes,
        Functions,
        PodDurationSeconds = PodDuration.TotalSeconds,
        MemoryFlat,
        PassTimeFlat,
        Waves = Waves.Select(w => new
        {
            w.Wave,
            w.Functions,
            DurationSeconds = w.Duration.TotalSeconds,
            PeakWorkingSetMB = w.PeakWorkingSetBytes / 1048576.0,
            EndWorkingSetMB = w.EndWorkingSetBytes / 1048576.0,
            PeakHeapMB = w.PeakHeapBytes / 1048576.0,
            w.Passes,
            w.MeanPassMs,
            OperatorCpuSeconds = w.OperatorCpu.TotalSeconds,
            w.FunctionsLeft,
            w.PodsLeft,
            w.Load,
        }),
    };

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"long run: {Functions} functions in {Waves.Count} waves on {Nodes} nodes (pods run {PodDuration.TotalSeconds:F1} s; podGC OnCompletion, ttlSecondsAfterFinished {FunctionManifest.TtlSecondsAfterFinished}): peak working set first wave {Waves[0].PeakWorkingSetBytes / 1048576.0:F0} MB, last {Waves[^1].PeakWorkingSetBytes / 1048576.0:F0} MB ({100 * MemoryGrowth:+0;-0} %: {(MemoryFlat ? "flat" : "NOT flat")}); mean pass first {Waves[0].MeanPassMs:F1} ms, last {Waves[^1].MeanPassMs:F1} ms ({100 * PassTimeGrowth:+0;-0} %: {(PassTimeFlat ? "flat" : "NOT flat")}); left in the cluster: {Waves[^1].FunctionsLeft} functions, {Waves[^1].PodsLeft} pods");

    /// <summary>The waves as a Markdown table.</summary>
    public string Table() =>
        "| wave | functions | took | peak working set | at the end | peak GC heap | passes | mean pass | operator CPU | functions left | pods left | load |\n" +
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
        string.Concat(Waves.Select(w => string.Create(
            CultureInfo.InvariantCulture,
            $"| {w.Wave} | {w.Functions:N0} | {w.Duration.TotalSeconds:F1} s | {w.PeakWorkingSetBytes / 1048576.0:F0} MB | {w.EndWorkingSetBytes / 1048576.0:F0} MB | {w.PeakHeapBytes / 1048576.0:F0} MB | {w.Passes} | {w.MeanPassMs:F1} ms | {w.OperatorCpu.TotalSeconds:F1} s | {w.FunctionsLeft:N0} | {w.PodsLeft:N0} | {w.Load:F1} |\n")));
}

/// <summary>
/// A long run: <c>total</c> HandoffFunctions through the system in waves, the simulated kubelet running every pod for
/// a short time and finishing it. Each function asks for its finished work to be collected (<c>podGC: OnCompletion</c>,
/// <c>ttlSecondsAfterFinished</c>), as a user running such a stream would; a wave ends when all of its functions are
/// seen Succeeded. Per wave: the operator's peak working set and GC heap, its passes and their mean time, its CPU,
/// and how many functions and pods are left in the cluster. Flat = the last wave's peak within
/// <see cref="LongRunResult.MemoryTolerance"/> of the first's (and the mean pass within
/// <see cref="LongRunResult.PassTimeTolerance"/>): only true if finished work is collected.
/// </summary>
public static class LongRun
{
    private static int _runs;

    public static async Task<LongRunResult> RunAsync(
        EndToEndCluster cluster, int total, int waves, TimeSpan podDuration, Action<LongRunWave>? progress, CancellationToken cancellationToken)
    {
        var run = Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture);
        var perWave = total / waves;
        var results = new List<LongRunWave>();
        for (var wave = 1; wave <= waves; wave++)
        {
            var ns = $"long-{run}-{wave.ToString(CultureInfo.InvariantCulture)}";
            await cluster.CreateNamespaceAsync(ns, cancellationToken);
            var cpuBefore = cluster.Operator.CpuTime();
            var passesBefore = await cluster.Operator.PassesAsync(cancellationToken);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var clock = Stopwatch.StartNew();
            var succeeded = new FirstSeen(perWave, clock);
            var watch = FunctionWatch.WatchAsync(
                cluster, FunctionWatch.Functions(ns, cluster.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture)),
                FunctionWatch.SucceededFunction, succeeded, stop.Token);
            var sampler = new MemorySampler(cluster.Operator);
            await using (sampler)
            {
                await cluster.ForEachAsync(Enumerable.Range(0, perWave), (i, ct) => cluster.PostAsync(
                    $"apis/handoff.dev/v1alpha1/namespaces/{ns}/handofffunctions",
                    FunctionManifest.Json(FunctionManifest.Name(i), ns, collectFinished: true), ct), cancellationToken);
                if (!await WaitForWaveAsync(succeeded, watch, cluster.Operator, cancellationToken))
                {
                    await stop.CancelAsync();
                    await watch;
                    throw new TimeoutException(
                        $"wave {wave}: {succeeded.Count} of {perWave} functions Succeeded, then none for {Stall.TotalMinutes} minutes: {cluster.Operator.LastLines}");
                }

                var duration = clock.Elapsed;
                await stop.CancelAsync();
                await watch;
                // Let the operator finish the wave's status writes (and whatever collection it does) before the next.
                await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
                var passesAfter = await cluster.Operator.PassesAsync(cancellationToken);
                var memory = await cluster.Operator.MemoryAsync(cancellationToken);
                var result = new LongRunWave
                {
                    Wave = wave,
                    Functions = perWave,
                    Duration = duration,
                    PeakWorkingSetBytes = Math.Max(sampler.PeakWorkingSetBytes, memory.WorkingSetBytes),
                    EndWorkingSetBytes = memory.WorkingSetBytes,
                    PeakHeapBytes = Math.Max(sampler.PeakHeapBytes, memory.ManagedHeapBytes),
                    Passes = passesAfter.Count - passesBefore.Count,
                    PassTime = passesAfter.Total - passesBefore.Total,
                    OperatorCpu = cluster.Operator.CpuTime() - cpuBefore,
                    FunctionsLeft = await cluster.CountAsync("apis/handoff.dev/v1alpha1/handofffunctions", cancellationToken),
                    PodsLeft = await cluster.CountAsync("api/v1/pods?labelSelector=handoff.dev%2Ffunction", cancellationToken),
                    Load = MachineLoad.Now(),
                };
                results.Add(result);
                progress?.Invoke(result);
            }
        }

        return new LongRunResult { Nodes = cluster.NodeCount, PodDuration = podDuration, Waves = results };
    }

    /// <summary>A wave fails only when no function of it has Succeeded for this long (a slow machine is not a failure).</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromMinutes(3);

    /// <summary>Waits until every function of the wave Succeeded (true), or the operator died, the watch ended or progress stalled (false).</summary>
    private static async Task<bool> WaitForWaveAsync(FirstSeen succeeded, Task watch, OperatorProcess op, CancellationToken cancellationToken)
    {
        var (count, since) = (-1, Stopwatch.StartNew());
        while (true)
        {
            var done = await Task.WhenAny(succeeded.All, watch, op.Exited, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
            if (done == succeeded.All)
            {
                return true;
            }

            if (done != watch && done != op.Exited && succeeded.Count != count)
            {
                (count, since) = (succeeded.Count, Stopwatch.StartNew());
            }
            else if (done == watch || done == op.Exited || since.Elapsed > Stall)
            {
                return false;
            }
        }
    }
}
