using System.Diagnostics;
using System.Globalization;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>What an idle run measured: the operator's footprint with nodes and no functions.</summary>
public sealed record IdleResult : IRunResult
{
    public required int Nodes { get; init; }

    /// <summary>Process start → <c>/readyz</c>.</summary>
    public required TimeSpan StartToReady { get; init; }

    /// <summary>CPU the operator used from its start until its first passes were done.</summary>
    public required TimeSpan StartupCpu { get; init; }

    /// <summary>Working set, peak and GC heap after <see cref="Settle"/> of idling.</summary>
    public required OperatorMemory Memory { get; init; }

    public required TimeSpan Settle { get; init; }

    /// <summary>CPU while idle, in millicores (watch renewals, resyncs, metrics).</summary>
    public required double IdleMillicores { get; init; }

    public required double Load { get; init; }

    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["Ready s"] = StartToReady.TotalSeconds,
        ["Startup CPU s"] = StartupCpu.TotalSeconds,
        ["Idle WS MB"] = Memory.WorkingSetBytes / 1048576.0,
        ["Peak WS MB"] = Memory.PeakWorkingSetBytes / 1048576.0,
        ["Heap MB"] = Memory.ManagedHeapBytes / 1048576.0,
        ["Idle mCPU"] = IdleMillicores,
        ["Load"] = Load,
    };

    public object Details => new { Kind = "idle", Nodes, SettleSeconds = Settle.TotalSeconds, Metrics };

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"idle with {Nodes} nodes: ready {StartToReady.TotalSeconds:F2} s after start, {StartupCpu.TotalSeconds:F1} s of CPU to its first idle; after {Settle.TotalSeconds:F0} s idle: working set {Memory.WorkingSetBytes / 1048576.0:F0} MB (peak {Memory.PeakWorkingSetBytes / 1048576.0:F0} MB), GC heap {Memory.ManagedHeapBytes / 1048576.0:F0} MB, {IdleMillicores:F0} millicores; load {Load:F1}");
}

/// <summary>The operator idle on a cluster of nodes: what it costs before any function exists.</summary>
public static class IdleRun
{
    public static async Task<IdleResult> RunAsync(EndToEndCluster cluster, TimeSpan settle, CancellationToken cancellationToken)
    {
        var op = cluster.Operator;
        var startupCpu = op.CpuTime();
        var clock = Stopwatch.StartNew();
        await Task.Delay(settle, cancellationToken);
        var idleCpu = op.CpuTime() - startupCpu;
        return new IdleResult
        {
            Nodes = cluster.NodeCount,
            StartToReady = Stopwatch.GetElapsedTime(op.StartedAt, op.ReadyAt),
            StartupCpu = startupCpu,
            Memory = await op.MemoryAsync(cancellationToken),
            Settle = settle,
            IdleMillicores = 1000 * idleCpu.TotalSeconds / clock.Elapsed.TotalSeconds,
            Load = MachineLoad.Now(),
        };
    }
}
