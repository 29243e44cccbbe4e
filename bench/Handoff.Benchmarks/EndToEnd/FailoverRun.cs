using System.Diagnostics;
using System.Globalization;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>What a failover run measured. Times are from the start of the failover (the new process started, or the leader signalled).</summary>
public sealed record FailoverResult : IRunResult
{
    public required FailoverMode Mode { get; init; }

    public required int Nodes { get; init; }

    /// <summary>Functions known (bound) before the failover.</summary>
    public required int Functions { get; init; }

    /// <summary>Functions waiting to be bound when the new leader comes.</summary>
    public required int Pending { get; init; }

    /// <summary>Restart: process start → <c>/readyz</c> (every informer listed). Standby: signal → the old leader's exit.</summary>
    public required TimeSpan Prepared { get; init; }

    /// <summary>→ the first pending function's pod seen bound: the failover time.</summary>
    public required TimeSpan FirstBinding { get; init; }

    /// <summary>→ every pending function's pod seen bound.</summary>
    public required TimeSpan AllBound { get; init; }

    /// <summary>The new leader's working set when all were bound, and its peak since it started.</summary>
    public required OperatorMemory Memory { get; init; }

    public required double Load { get; init; }

    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["Prepared s"] = Prepared.TotalSeconds,
        ["First bind s"] = FirstBinding.TotalSeconds,
        ["All bound s"] = AllBound.TotalSeconds,
        ["Peak WS MB"] = Memory.PeakWorkingSetBytes / 1048576.0,
        ["Load"] = Load,
    };

    public object Details => new { Kind = "failover", Mode = Mode.ToString(), Nodes, Functions, Pending, Metrics };

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"failover ({Mode}) with {Functions} functions and {Nodes} nodes: {(Mode == FailoverMode.Restart ? "start -> ready" : "signal -> old leader gone")} {Prepared.TotalSeconds:F2} s, -> first of {Pending} pending functions bound {FirstBinding.TotalSeconds:F2} s, -> all bound {AllBound.TotalSeconds:F2} s; new leader's working set {Memory.WorkingSetBytes / 1048576.0:F0} MB (peak {Memory.PeakWorkingSetBytes / 1048576.0:F0} MB); load {Load:F1}");
}

/// <summary>
/// Failover: an operator binds <c>functions</c> HandoffFunctions on the cluster (its measured burst run is printed
/// too), then leadership passes to another process, and the run measures how long it takes until work waiting at that
/// moment — <c>pending</c> new functions — is bound. <see cref="FailoverMode.Restart"/>: the operator is killed, the
/// pending functions are created, a new operator process is started (cold: it lists 5,000 Nodes and HandoffNodes and
/// 50,000 functions and pods), timed from its start. Standby modes: both operators run with leader election from the
/// start, the standby's caches warm; the leader is signalled, and once it has exited the pending functions are
/// created; timed from the signal.
/// </summary>
public static class FailoverRun
{
    public static async Task<FailoverResult> RunAsync(
        EndToEndCluster cluster, FailoverMode mode, int functions, int pending, CancellationToken cancellationToken)
    {
        var standby = mode != FailoverMode.Restart;
        var leader = await cluster.StartOperatorAsync(leaderElect: standby, cancellationToken);
        await WaitForAsync(() => leader.IsLeaderAsync(cancellationToken), "the first operator to lead", cancellationToken);
        await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
        var load = await EndToEndRun.RunAsync(cluster, functions, cancellationToken);
        Console.WriteLine("// failover: the load: " + load.Describe());
        OperatorProcess? next = null;
        if (standby)
        {
            next = await cluster.StartOperatorAsync(leaderElect: true, cancellationToken);
            await cluster.WaitForOperatorIdleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), cancellationToken);
            if (await next.IsLeaderAsync(cancellationToken) || !await leader.IsLeaderAsync(cancellationToken))
            {
                throw new InvalidOperationException("the standby leads before the failover");
            }
        }

        const string ns = "failover";
        await cluster.CreateNamespaceAsync(ns, cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        var bound = new FirstSeen(pending, clock);
        var watch = FunctionWatch.WatchAsync(
            cluster, FunctionWatch.Pods(ns, cluster.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture)), FunctionWatch.BoundFunction, bound, stop.Token);

        double start, prepared;
        if (standby)
        {
            start = clock.Elapsed.TotalMilliseconds;
            await leader.StopAsync(graceful: mode == FailoverMode.StandbyGraceful, cancellationToken);
            prepared = clock.Elapsed.TotalMilliseconds;
            await CreatePendingAsync(cluster, ns, pending, cancellationToken);
        }
        else
        {
            await leader.StopAsync(graceful: false, cancellationToken);
            await CreatePendingAsync(cluster, ns, pending, cancellationToken);
            next = await cluster.StartOperatorAsync(leaderElect: false, cancellationToken);
            start = ToClock(clock, next.StartedAt);
            prepared = ToClock(clock, next.ReadyAt);
        }

        if (await Task.WhenAny(bound.All, watch, next!.Exited, Task.Delay(TimeSpan.FromMinutes(3), cancellationToken)) != bound.All)
        {
            await stop.CancelAsync();
            await watch;
            throw new TimeoutException($"within 3 minutes {bound.Count} of {pending} pending functions were bound: {next!.LastLines}");
        }

        await stop.CancelAsync();
        await watch;
        return new FailoverResult
        {
            Mode = mode,
            Nodes = cluster.NodeCount,
            Functions = functions,
            Pending = pending,
            Prepared = TimeSpan.FromMilliseconds(prepared - start),
            FirstBinding = TimeSpan.FromMilliseconds(bound.Earliest - start),
            AllBound = TimeSpan.FromMilliseconds(bound.Last - start),
            Memory = await next!.MemoryAsync(cancellationToken),
            Load = MachineLoad.Now(),
        };
    }

    /// <summary>A <see cref="Stopwatch.GetTimestamp"/> on <paramref name="clock"/>'s scale (ms since it started).</summary>
    private static double ToClock(Stopwatch clock, long timestamp) =>
        clock.Elapsed.TotalMilliseconds - Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;

    private static Task CreatePendingAsync(EndToEndCluster cluster, string ns, int pending, CancellationToken cancellationToken) =>
        cluster.ForEachAsync(Enumerable.Range(0, pending), (i, ct) => cluster.PostAsync(
            $"apis/handoff.dev/v1alpha1/namespaces/{ns}/handofffunctions", FunctionManifest.Json(FunctionManifest.Name(i), ns), ct), cancellationToken);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"waited a minute for {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
