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
        ["Load"] = Load,
    };

    public object Details => new { Kind = "stream", Nodes, RequestedRate, DurationSeconds = Duration.TotalSeconds, Functions, Metrics, PassSeconds = PassTime.TotalSeconds };

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"steady stream of {RequestedRate:F0}/s for {Duration.TotalSeconds:F0} s on {Nodes} nodes: {Functions} functions created at {CreatedPerSecond:F0}/s; create->bound p50 {Percentiles.Of(BoundMs, 0.5):F0} ms, p99 {Percentiles.Of(BoundMs, 0.99):F0} ms, max {BoundMs[^1]:F0} ms; create->Scheduled p50 {Percentiles.Of(ScheduledMs, 0.5):F0} ms, p99 {Percentiles.Of(ScheduledMs, 0.99):F0} ms, max {ScheduledMs[^1]:F0} ms; {Passes} passes ({(Passes == 0 ? 0 : PassTime.TotalMilliseconds / Passes):F1} ms mean); operator CPU {OperatorCpu.TotalSeconds:F1} s in {RunTime.TotalSeconds:F1} s, {WritesPerFunction:F2} writes per function, peak working set {PeakWorkingSetBytes / 1048576.0:F0} MB; load {Load:F1}");
}

/// <summary>
/// A steady stream: HandoffFunctions created at a fixed rate (500/s) for a fixed time (30 s) on a cluster with room
/// for all of them, each create sent at its own instant (<c>i / rate</c> after the start) whatever the previous ones
/// are doing — an open loop, as a stream of users would — with up to 64 creates in flight. Measures per function the
/// latency from its create being answered to its pod seen bound, and to its status seen <c>Scheduled</c>.
/// </summary>
public static class SteadyStreamRun
{
    private const int MaxInFlight = 64;
    private static int _runs;

    public static async Task<SteadyStreamResult> RunAsync(EndToEndCluster cluster, double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var ns = "stream-" + Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture);
        await cluster.CreateNamespaceAsync(ns, cancellationToken);
        await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
        var functions = (int)Math.Round(rate * duration.TotalSeconds);
        var before = cluster.OperatorRequests();
        var cpuBefore = cluster.Operator.CpuTime();
        var passesBefore = await cluster.Operator.PassesAsync(cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        var created = new double[functions];
        var (bound, scheduled, watches) = FunctionWatch.BoundAndScheduled(cluster, ns, functions, clock, stop.Token);
        // The stream reports latency and the working set, not the GC heap: no /metrics scrapes beside the latency.
        await using var sampler = new MemorySampler(cluster.Operator, withHeap: false);

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
        var after = cluster.OperatorRequests();
        var passesAfter = await cluster.Operator.PassesAsync(cancellationToken);
        var cpu = cluster.Operator.CpuTime() - cpuBefore;
        await stop.CancelAsync();
        await watches;
        var names = Enumerable.Range(0, functions).Select(FunctionManifest.Name).ToArray();
        return new SteadyStreamResult
        {
            Nodes = cluster.NodeCount,
            RequestedRate = rate,
            Duration = duration,
            Functions = functions,
            CreatedPerSecond = functions / (createdAll - start).TotalSeconds,
            BoundMs = [.. Enumerable.Range(0, functions).Select(i => bound.At(names[i]) - created[i]).Order()],
            ScheduledMs = [.. Enumerable.Range(0, functions).Select(i => scheduled.At(names[i]) - created[i]).Order()],
            Passes = passesAfter.Count - passesBefore.Count,
            PassTime = passesAfter.Total - passesBefore.Total,
            OperatorCpu = cpu,
            RunTime = runTime,
            WritesPerFunction = EndToEndCluster.WritesBetween(before, after) / (double)functions,
            PeakWorkingSetBytes = sampler.PeakWorkingSetBytes,
            Load = MachineLoad.Now(),
        };
    }
}
