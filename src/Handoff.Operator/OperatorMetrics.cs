using Prometheus;

namespace Handoff.Operator;

/// <summary>The operator's Prometheus metrics, in a registry of their own (several operators may share a process in tests).</summary>
public sealed class OperatorMetrics
{
    public OperatorMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        // process_working_set_bytes, process_cpu_seconds_total, dotnet_total_memory_bytes, dotnet_collection_count_total.
        DotNetStats.Register(Registry);
        FunctionsByPhase = factory.CreateGauge(
            "handoff_functions", "HandoffFunctions by phase.", new GaugeConfiguration { LabelNames = ["phase"] });
        SchedulingAttempts = factory.CreateCounter(
            "handoff_scheduling_attempts_total", "Scheduling attempts by result (scheduled, unschedulable, error).",
            new CounterConfiguration { LabelNames = ["result"] });
        SchedulingLatency = factory.CreateHistogram(
            "handoff_scheduling_latency_seconds", "Time from a function becoming ready to its pod being bound.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        ApiErrors = factory.CreateCounter(
            "handoff_api_errors_total", "Errors returned by the Kubernetes API, by operation.",
            new CounterConfiguration { LabelNames = ["operation"] });
        IsLeader = factory.CreateGauge("handoff_leader", "1 while this replica is the leader.");
        InvalidObjects = factory.CreateGauge(
            "handoff_invalid_objects", "Objects the operator cannot decode (each reported by an Event and skipped).");
        QueuePending = factory.CreateGauge(
            "handoff_queue_pending", "Functions and pods ready and waiting, per HandoffQueue.", new GaugeConfiguration { LabelNames = ["queue"] });
        QueueAdmitted = factory.CreateGauge(
            "handoff_queue_admitted", "Functions and pods holding capacity, per HandoffQueue.", new GaugeConfiguration { LabelNames = ["queue"] });
        QueueUsage = factory.CreateGauge(
            "handoff_queue_usage", "Effective costs held per HandoffQueue and resource (in units).", new GaugeConfiguration { LabelNames = ["queue", "resource"] });
        QueuePreemptions = factory.CreateCounter(
            "handoff_queue_preemptions_total", "Workloads evicted to make room for higher-priority work, per HandoffQueue of the victim.",
            new CounterConfiguration { LabelNames = ["queue"] });
        MemoryTrims = factory.CreateCounter(
            "handoff_idle_memory_trims_total", "Full collections run while idle to give the last burst's memory back (--idle-memory-trim).");
        ReconcileDuration = factory.CreateHistogram(
            "handoff_reconcile_duration_seconds", "Duration of one reconcile pass.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
    }

    public CollectorRegistry Registry { get; }

    public Gauge FunctionsByPhase { get; }

    /// <summary>The per-node series, written at scrape time (<see cref="ExportAsync"/>), not kept in <see cref="Registry"/>.</summary>
    public NodeMetricSeries NodeSeries { get; } = new();

    public Counter SchedulingAttempts { get; }

    public Histogram SchedulingLatency { get; }

    public Counter ApiErrors { get; }

    public Gauge IsLeader { get; }

    public Gauge InvalidObjects { get; }

    public Histogram ReconcileDuration { get; }

    public Counter MemoryTrims { get; }

    public Gauge QueuePending { get; }

    public Gauge QueueAdmitted { get; }

    public Gauge QueueUsage { get; }

    public Counter QueuePreemptions { get; }

    /// <summary>Everything /metrics serves: the registry's families, then the per-node series (before OpenMetrics' closing <c># EOF</c>).</summary>
    public async Task ExportAsync(Stream destination, ExpositionFormat format = ExpositionFormat.PrometheusText, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var registry = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(registry, format, cancellationToken);
        var length = (int)registry.Length;
        var closing = format == ExpositionFormat.OpenMetricsText && EndsWith(registry, Eof) ? Eof.Length : 0;
        await destination.WriteAsync(registry.GetBuffer().AsMemory(0, length - closing), cancellationToken);
        await NodeSeries.WriteToAsync(destination, closing > 0 ? Eof : default, cancellationToken);
    }

    private static readonly byte[] Eof = "# EOF\n"u8.ToArray();

    private static bool EndsWith(MemoryStream stream, byte[] suffix) =>
        stream.Length >= suffix.Length && stream.GetBuffer().AsSpan((int)stream.Length - suffix.Length, suffix.Length).SequenceEqual(suffix);
}
