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
        NodeCapacity = factory.CreateGauge(
            "handoff_node_capacity", "HandoffNode capacity per resource (in units; milli-units / 1000).",
            new GaugeConfiguration { LabelNames = ["node", "resource"] });
        NodeAllocated = factory.CreateGauge(
            "handoff_node_allocated", "Capacity held by functions per HandoffNode and resource.",
            new GaugeConfiguration { LabelNames = ["node", "resource"] });
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

    public Gauge NodeCapacity { get; }

    public Gauge NodeAllocated { get; }

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
}
