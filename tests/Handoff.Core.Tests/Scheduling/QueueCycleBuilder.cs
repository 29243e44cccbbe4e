using Handoff.Core.Allocation;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Scheduling;

/// <summary>A fluent cluster for cycle tests: nodes of cpu, queues, workloads holding capacity, and the pending ones.</summary>
internal sealed class QueueCycleBuilder
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<NodeInfo> _nodes = [];
    private readonly Dictionary<string, QueueQuota> _queues = new(StringComparer.Ordinal);
    private readonly List<AdmittedWorkload> _admitted = [];
    private readonly List<GangMember> _gangMembers = [];

    public IResourceTracker Tracker { get; } = new SimpleResourceTracker();

    public NodeSet NodeSet => new(_nodes);

    public QueueCycleBuilder Node(string name, string cpu, string? gpu = null)
    {
        var capacity = gpu is null ? ResourceList.Of(("cpu", cpu)) : ResourceList.Of(("cpu", cpu), ("nvidia.com/gpu", gpu));
        _nodes.Add(new NodeInfo(name, capacity));
        Tracker.SetNode(name, capacity);
        return this;
    }

    public QueueCycleBuilder Queue(string name, string? cpuQuota = null, string? cohort = null, string? borrowCpu = null, string weight = "1", bool strict = false)
    {
        _queues[name] = new QueueQuota(name)
        {
            Quota = cpuQuota is null ? ResourceList.Empty : ResourceList.Of(("cpu", cpuQuota)),
            Cohort = cohort,
            BorrowingLimit = borrowCpu is null ? ResourceList.Empty : ResourceList.Of(("cpu", borrowCpu)),
            WeightMilli = ResourceList.ParseQuantity("weight", weight),
            Strategy = strict ? QueueingStrategy.StrictFIFO : QueueingStrategy.BestEffortFIFO,
        };
        return this;
    }

    /// <summary>A workload holding <paramref name="cpu"/> on <paramref name="node"/> (adopted in the tracker).</summary>
    public QueueCycleBuilder Running(string id, string node, string cpu, int priority = 0, string? queue = null, string? gang = null, bool terminating = false)
    {
        var cost = ResourceList.Of(("cpu", cpu));
        Assert.True(Tracker.Adopt(node, cost, id));
        _admitted.Add(new AdmittedWorkload(id, id, node, cost) { Priority = priority, Queue = queue, Gang = gang, Terminating = terminating });
        if (gang is not null)
        {
            _gangMembers.Add(new GangMember(id, gang, 1, GangMemberState.Placed));
        }

        return this;
    }

    public static Workload W(
        string id, string cpu, int priority = 0, string? queue = null, GangRef? gang = null, int readyAfter = 0, bool mayPreempt = true,
        AllocationStrategy strategy = AllocationStrategy.FirstAvailable, string? gpu = null) =>
        new(new PlacementRequest(id, gpu is null ? ResourceList.Of(("cpu", cpu)) : ResourceList.Of(("cpu", cpu), ("nvidia.com/gpu", gpu))), strategy,
            new QueueOrderKey(T0.AddSeconds(readyAfter), T0, id))
        {
            Priority = priority,
            Queue = queue,
            Gang = gang,
            MayPreempt = mayPreempt,
        };

    public CycleResult Run(params Workload[] pending) => SchedulingCycle.Run(
        new CycleInput(NodeSet, Tracker, pending)
        {
            Queues = _queues,
            Admitted = _admitted,
            Gangs = new GangBook(_gangMembers),
        },
        TestContext.Current.CancellationToken);
}
