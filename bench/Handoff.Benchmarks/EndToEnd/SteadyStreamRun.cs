using System.Diagnostics;
using System.Globalization;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>What a steady-stream run measured.</summary>
public sealed record SteadyStreamResult : IRunResult
{
    public required int Nodes { get; init; }

    public required double RequestedRate { get; init; }

    public required TimeSpan Duration { get; init; }

    public required int Functions { get; init; }

    /// <summary>Functions created per second as the API server answered (below the requested rate when it fell behind).</summary>
    public required double CreatedPerSecond { get; init; }

    /// <summary>Create answered → pod seen bound, per function (ms, sorted).</summary>
    public required double[] BoundMs { get; init; }

    /// <summary>Create answered → status <c>Scheduled</c> seen, per function (ms, sorted).</summary>
    public required double[] ScheduledMs { get; init; }

    public required long Passes { get; init; }

    public required TimeSpan PassTime { get; init; }

    public required TimeSpan OperatorCpu { get; init; }

    /// <summary>From the first create to the operator falling idle after the last function was reported.</summary>
    public required TimeSpan RunTime { get; init; }

    public required double WritesPerFunction { get; init; }

    public required long PeakWorkingSetBytes { get; init; }

    public required double Load { get; init; }

    /// <summary>Functions of the warm-up stream run (and reported) before the measured one; 0 for none.</summary>
    public int WarmupFunctions { get; init; }

    /// <summary>Create answered → pod seen bound, for the functions created in the measured stream's first 5 s (ms, sorted).</summary>
    public double[] FirstSecondsBoundMs { get; init; } = [];

    /// <summary>The p99 of <see cref="FirstSecondsBoundMs"/> (0 when there are none).</summary>
    public double FirstSecondsBoundP99Ms => FirstSecondsBoundMs.Length == 0 ? 0 : Percentiles.Of(FirstSecondsBoundMs, 0.99);

    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["Created/s"] = CreatedPerSecond,
        ["Bound p50 ms"] = Percentiles.Of(BoundMs, 0.50),
        ["Bound p99 ms"] = Percentiles.Of(BoundMs, 0.99),
        ["Scheduled p50 ms"] = Percentiles.Of(ScheduledMs, 0.50),
        ["Scheduled p99 ms"] = Percentiles.Of(ScheduledMs, 0.99),
        ["Passes"] = Passes,
        ["Op CPU %"] = 100 * OperatorCpu.TotalSeconds / RunTime.TotalSeconds,
        ["Writes/fn"] = WritesPerFunction,
        ["Peak WS MB"] = PeakWorkingSetBytes / 1048576.0,
        ["First 5 s bound p99 ms"] = FirstSecondsBoundP99Ms,
        ["Warm-up functions"] = WarmupFunctions,
        ["Load"] = Load,
    };

    public object Details => new { Kind = "stream", Nodes, RequestedRate, DurationSeconds = Duration.TotalSeconds, Functions, Metrics, PassSeconds = PassTime.TotalSeconds };

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"steady stream of {RequestedRate:F0}/s for {Duration.TotalSeconds:F0} s on {Nodes} nodes: {Functions} functions created at {CreatedPerSecond:F0}/s; create->bound p50 {Percentiles.Of(BoundMs, 0.5):F0} ms, p99 {Percentiles.Of(BoundMs, 0.99):F0} ms, max {BoundMs[^1]:F0} ms; create->Scheduled p50 {Percentiles.Of(ScheduledMs, 0.5):F0} ms, p99 {Percentiles.Of(ScheduledMs, 0.99):F0} ms, max {ScheduledMs[^1]:F0} ms; {Passes} passes ({(Passes == 0 ? 0 : PassTime.TotalMilliseconds / Passes):F1} ms mean); operator CPU {OperatorCpu.TotalSeconds:F1} s in {RunTime.TotalSeconds:F1} s, {WritesPerFunction:F2} writes per function, peak working set {PeakWorkingSetBytes / 1048576.0:F0} MB; first 5 s: create->bound p99 {FirstSecondsBoundP99Ms:F0} ms; {(WarmupFunctions == 0 ? "no warm-up" : $"after a warm-up stream of {WarmupFunctions} functions")}; load {Load:F1}");
}

/// <summary>
/// A steady stream: HandoffFunctions created at a fixed rate (500/s) for a fixed time (30 s) on a cluster with room
/// for all of them, each create sent at its own instant (<c>i / rate</c> after the start) whatever the previous ones
/// are doing — an open loop, as a stream of users would — with up to 64 creates in flight. Measures per function the
/// latency from its create being answered to its pod seen bound, and to its status seen <c>Scheduled</c>.
/// </summary>
/// <remarks>
/// A warm-up stream (by default 3 s at the same rate, in a namespace of its own, left in the cluster) runs first: a
/// stream meets an operator — and an API server — that has been running, not one whose placing, binding and status
/// code has never run. Measured cold, the first seconds' functions waited for the just-in-time compiler of both
/// processes (p50 200–320 ms in seconds 0–3 against 50–100 ms after) and set the p99 alone. The measured stream's
/// first 5 s are reported apart; <c>HANDOFF_BENCH_STREAM_DUMP=file</c> writes each function's create time and
/// latencies for a timeline.
/// </remarks>
public static class SteadyStreamRun
{
    private const int MaxInFlight = 64;
    private static int _runs;

    public static async Task<SteadyStreamResult> RunAsync(
        EndToEndCluster cluster, double rate, TimeSpan duration, TimeSpan warmup, CancellationToken cancellationToken)
    {
        var ns = "stream-" + Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture);
        var warmupFunctions = (int)Math.Round(rate * warmup.TotalSeconds);
        if (warmupFunctions > 0)
        {
            await cluster.CreateNamespaceAsync(ns + "-warmup", cancellationToken);
            await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
            await StreamAsync(cluster, ns + "-warmup", rate, warmupFunctions, cancellationToken);
        }

        await cluster.CreateNamespaceAsync(ns, cancellationToken);
        await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
        var functions = (int)Math.Round(rate * duration.TotalSeconds);
        var before = cluster.OperatorRequests();
        var cpuBefore = cluster.Operator.CpuTime();
        var passesBefore = await cluster.Operator.PassesAsync(cancellationToken);

        // The stream reports latency and the working set, not the GC heap: no /metrics scrapes beside the latency.
        var sampler = new MemorySampler(cluster.Operator, withHeap: false);
        StreamTimes stream;
        try
        {
            stream = await StreamAsync(cluster, ns, rate, functions, cancellationToken);
        }
        finally
        {
            await sampler.DisposeAsync();
        }

        var after = cluster.OperatorRequests();
        var passesAfter = await cluster.Operator.PassesAsync(cancellationToken);
        var cpu = cluster.Operator.CpuTime() - cpuBefore;
        if (Environment.GetEnvironmentVariable("HANDOFF_BENCH_STREAM_DUMP") is { Length: > 0 } dump)
        {
            await File.WriteAllLinesAsync(
                dump,
                Enumerable.Range(0, functions).Select(i => string.Create(CultureInfo.InvariantCulture, $"{stream.CreatedMs[i]:F1} {stream.BoundMs[i]:F1} {stream.ScheduledMs[i]:F1}")),
                cancellationToken);
        }

        return new SteadyStreamResult
        {
            Nodes = cluster.NodeCount,
            RequestedRate = rate,
            Duration = duration,
            Functions = functions,
            CreatedPerSecond = stream.CreatedPerSecond,
            BoundMs = [.. stream.BoundMs.Order()],
            ScheduledMs = [.. stream.ScheduledMs.Order()],
            Passes = passesAfter.Count - passesBefore.Count,
            PassTime = passesAfter.Total - passesBefore.Total,
            OperatorCpu = cpu,
            RunTime = stream.RunTime,
            WritesPerFunction = EndToEndCluster.WritesBetween(before, after) / (double)functions,
            PeakWorkingSetBytes = sampler.PeakWorkingSetBytes,
            Load = MachineLoad.Now(),
            WarmupFunctions = warmupFunctions,
            FirstSecondsBoundMs = [.. Enumerable.Range(0, functions).Where(i => stream.CreatedMs[i] < 5000).Select(i => stream.BoundMs[i]).Order()],
        };
    }

    /// <summary>One open-loop stream into <paramref name="ns"/>, until every function is seen bound and <c>Scheduled</c> and the operator is idle.</summary>
    private static async Task<StreamTimes> StreamAsync(EndToEndCluster cluster, string ns, double rate, int functions, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        var created = new double[functions];
        var (bound, scheduled, watches) = FunctionWatch.BoundAndScheduled(cluster, ns, functions, clock, stop.Token);

        // Open loop: every 2 ms tick sends the creates that are due by then.
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var creates = new List<Task>(functions);
        var start = clock.Elapsed;
        using (var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(2)))
        {
            var next = 0;
            while (next < functions)
            {
                var due = Math.Min(functions, (int)((clock.Elapsed - start).TotalSeconds * rate) + 1);
                for (; next < due; next++)
                {
                    var i = next;
                    await inFlight.WaitAsync(cancellationToken);
                    creates.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await cluster.PostAsync(
                                $"apis/handoff.dev/v1alpha1/namespaces/{ns}/handofffunctions", FunctionManifest.Json(FunctionManifest.Name(i), ns), cancellationToken);
                            created[i] = clock.Elapsed.TotalMilliseconds;
                        }
                        finally
                        {
                            inFlight.Release();
                        }
                    }, cancellationToken));
                }

                await ticks.WaitForNextTickAsync(cancellationToken);
            }
        }

        await Task.WhenAll(creates);
        var createdAll = clock.Elapsed;
        var all = Task.WhenAll(bound.All, scheduled.All);
        if (await Task.WhenAny(all, watches, cluster.Operator.Exited, Task.Delay(TimeSpan.FromMinutes(5), cancellationToken)) != all)
        {
            await stop.CancelAsync();
            await watches;
            throw new TimeoutException(
                $"within 5 minutes of the last create {bound.Count} of {functions} functions were bound and {scheduled.Count} reported Scheduled: {cluster.Operator.LastLines}");
        }

        await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
        var runTime = clock.Elapsed - start;
        await stop.CancelAsync();
        await watches;
        var names = Enumerable.Range(0, functions).Select(FunctionManifest.Name).ToArray();
        return new StreamTimes(
            [.. created.Select(c => c - start.TotalMilliseconds)],
            [.. Enumerable.Range(0, functions).Select(i => bound.At(names[i]) - created[i])],
            [.. Enumerable.Range(0, functions).Select(i => scheduled.At(names[i]) - created[i])],
            functions / (createdAll - start).TotalSeconds,
            runTime);
    }

    /// <summary>Per function (by index): created at (ms from the stream's start), then → bound and → <c>Scheduled</c> (ms).</summary>
    private sealed record StreamTimes(double[] CreatedMs, double[] BoundMs, double[] ScheduledMs, double CreatedPerSecond, TimeSpan RunTime);
}
