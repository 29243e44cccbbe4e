using System.Diagnostics;
using System.Globalization;
using Handoff.Sandbox;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>What one end-to-end run measured.</summary>
public sealed record EndToEndResult
{
    public required int Nodes { get; init; }

    public required int Functions { get; init; }

    /// <summary>From the first create sent to the last create answered.</summary>
    public required TimeSpan CreateTime { get; init; }

    /// <summary>From the first create sent to the last pod seen bound.</summary>
    public required TimeSpan BindTime { get; init; }

    /// <summary>From the first create sent to the last function seen reported <c>Scheduled</c> in its status.</summary>
    public required TimeSpan StatusTime { get; init; }

    public double BoundPerSecond => Functions / BindTime.TotalSeconds;

    /// <summary>Create answered → pod seen bound by a watch, per function (milliseconds, sorted).</summary>
    public required double[] LatenciesMs { get; init; }

    public double LatencyP50Ms => Percentile(0.50);

    public double LatencyP99Ms => Percentile(0.99);

    public double LatencyMaxMs => LatenciesMs[^1];

    /// <summary>The operator's API requests during the run by verb and resource, until it was idle again.</summary>
    public required IReadOnlyDictionary<string, long> OperatorRequests { get; init; }

    public double WritesPerFunction => OperatorRequests.Where(r => SandboxRequestKind.IsWriteVerb(r.Key.Split(' ')[0])).Sum(r => r.Value) / (double)Functions;

    public double RequestsPerFunction => OperatorRequests.Values.Sum() / (double)Functions;

    /// <summary>The operator's memory once idle after the run (peak = the process's high-water mark since it started).</summary>
    public required OperatorMemory Memory { get; init; }

    /// <summary>CPU time the operator used during the run (user + system, all its threads).</summary>
    public required TimeSpan OperatorCpu { get; init; }

    /// <summary>Reconcile passes the operator ran during the run, and their total duration (I/O included).</summary>
    public required long Passes { get; init; }

    public required TimeSpan PassTime { get; init; }

    public double OperatorCpuMsPerFunction => OperatorCpu.TotalMilliseconds / Functions;

    /// <summary>The highest GC heap the operator reported while the run went on (sampled every 250 ms).</summary>
    public required long PeakManagedHeapBytes { get; init; }

    /// <summary>The machine's 1-minute load average when the run ended (the machine is shared).</summary>
    public required double Load { get; init; }

    private double Percentile(double p) => Percentiles.Of(LatenciesMs, p);

    public string Describe()
    {
        var perFunction = string.Join(", ", OperatorRequests.OrderByDescending(r => r.Value).Select(r => r.Key + " " + (r.Value / (double)Functions).ToString("F2", CultureInfo.InvariantCulture)));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Functions} functions on {Nodes} nodes: created in {CreateTime.TotalSeconds:F2} s, all bound after {BindTime.TotalSeconds:F2} s = {BoundPerSecond:F0} functions/s, all reported Scheduled after {StatusTime.TotalSeconds:F2} s; create->bound p50 {LatencyP50Ms:F0} ms, p99 {LatencyP99Ms:F0} ms, max {LatencyMaxMs:F0} ms; operator API requests per function {RequestsPerFunction:F2} (writes {WritesPerFunction:F2}: {perFunction}); {Passes} passes taking {PassTime.TotalSeconds:F1} s; operator CPU {OperatorCpu.TotalSeconds:F1} s ({OperatorCpuMsPerFunction:F2} ms per function); operator working set {Memory.WorkingSetBytes / 1048576.0:F0} MB (peak {Memory.PeakWorkingSetBytes / 1048576.0:F0} MB), GC heap {Memory.ManagedHeapBytes / 1048576.0:F0} MB (peak {PeakManagedHeapBytes / 1048576.0:F0} MB); load {Load:F1}");
    }
}

/// <summary>
/// One end-to-end run: N HandoffFunctions (1 cpu, 1000 memory each, no args) created at once in a fresh namespace
/// by <see cref="EndToEndCluster"/>'s 16 unthrottled clients, as kube-scheduler's scheduler_perf creates pods; a
/// watch on the functions' pods records when each is bound, one on the functions when each reports <c>Scheduled</c>.
/// Ends when both are true of every function and the operator is idle.
/// </summary>
public static class EndToEndRun
{
    private static int _runs;

    public static async Task<EndToEndResult> RunAsync(EndToEndCluster cluster, int functions, CancellationToken cancellationToken)
    {
        var ns = "bench-" + Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture);
        await cluster.CreateNamespaceAsync(ns, cancellationToken);
        await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
        var before = cluster.OperatorRequests();
        var cpuBefore = cluster.Operator.CpuTime();
        var passesBefore = await cluster.Operator.PassesAsync(cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        var created = new double[functions];
        var (bound, scheduled, watches) = FunctionWatch.BoundAndScheduled(cluster, ns, functions, clock, stop.Token);
        await using var sampler = new MemorySampler(cluster.Operator);

        var start = clock.Elapsed.TotalMilliseconds;
        await cluster.ForEachAsync(Enumerable.Range(0, functions), async (i, ct) =>
        {
            await cluster.PostAsync($"apis/handoff.dev/v1alpha1/namespaces/{ns}/handofffunctions", FunctionManifest.Json(FunctionManifest.Name(i), ns), ct);
            created[i] = clock.Elapsed.TotalMilliseconds;
        }, cancellationToken);
        var createdAll = clock.Elapsed.TotalMilliseconds;

        // Done when every pod is bound and every function reports Scheduled; then the operator must fall idle.
        var all = Task.WhenAll(bound.All, scheduled.All);
        var finished = await Task.WhenAny(all, watches, cluster.Operator.Exited, Task.Delay(TimeSpan.FromMinutes(10), cancellationToken));
        if (finished != all)
        {
            await stop.CancelAsync();
            await watches;
            throw new TimeoutException(
                $"within 10 minutes {bound.Count} of {functions} functions were bound and {scheduled.Count} reported Scheduled: {cluster.Operator.LastLines}");
        }

        await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
        var after = cluster.OperatorRequests();
        var memory = await cluster.Operator.MemoryAsync(cancellationToken);
        var cpu = cluster.Operator.CpuTime() - cpuBefore;
        var passesAfter = await cluster.Operator.PassesAsync(cancellationToken);
        await stop.CancelAsync();
        await watches;
        var peak = sampler.PeakHeapBytes;

        var latencies = Enumerable.Range(0, functions).Select(i => bound.At(FunctionManifest.Name(i)) - created[i]).Order().ToArray();
        return new EndToEndResult
        {
            Nodes = cluster.NodeCount,
            Functions = functions,
            CreateTime = TimeSpan.FromMilliseconds(createdAll - start),
            BindTime = TimeSpan.FromMilliseconds(bound.Last - start),
            StatusTime = TimeSpan.FromMilliseconds(scheduled.Last - start),
            LatenciesMs = latencies,
            OperatorRequests = after
                .Select(r => (r.Key, Count: r.Value - before.GetValueOrDefault(r.Key)))
                .Where(r => r.Count > 0)
                .ToDictionary(r => r.Key, r => r.Count, StringComparer.Ordinal),
            Memory = memory,
            OperatorCpu = cpu,
            Passes = passesAfter.Count - passesBefore.Count,
            PassTime = passesAfter.Total - passesBefore.Total,
            PeakManagedHeapBytes = Math.Max(peak, memory.ManagedHeapBytes),
            Load = MachineLoad.Now(),
        };
    }

}
