using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Planning;

/// <summary>
/// A function as the planner sees it: its placement request (id, effective cost, constraints), its strategy and args,
/// and how its simulated attempts go.
/// </summary>
public sealed record PlanFunction(PlacementRequest Placement, IReadOnlyList<string> Args)
{
    /// <summary>Default simulated run time of one attempt.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(1);

    public string Id => Placement.Id;

    public AllocationStrategy Strategy { get; init; } = AllocationStrategy.FirstAvailable;

    /// <summary>How failed attempts are retried (the operator's rule: back-off 10 s doubling, capped at 5 min).</summary>
    public RetryPolicy Retry { get; init; } = new(3);

    /// <summary>Simulated run time of each attempt.</summary>
    public TimeSpan Duration { get; init; } = DefaultDuration;

    /// <summary>True = every attempt fails.</summary>
    public bool Fails { get; init; }

    /// <summary>The function's extraArgs: with the args' results, what it is handed (checked against <see cref="InputLimits"/>).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>The containers of its pod template (each gets the HANDOFF_* environment).</summary>
    public int Containers { get; init; } = 1;

    /// <summary>
    /// When the function was created, as an offset from the plan's start (a manifest's <c>creationTimestamp</c>);
    /// default the start: functions applied together are created within the same second, so the queue orders them by id.
    /// </summary>
    public TimeSpan Created { get; init; }

    /// <summary>Its queue, priority, gang and preemption policy (api.md, "Queues").</summary>
    public Scheduling.SchedulingTraits Traits { get; init; } = Scheduling.SchedulingTraits.None;

    /// <summary>
    /// Set on a pod of a batch/v1 Job: its pod does not exist until its Job's controller creates it (see
    /// <see cref="JobShape"/>); then it is created, and ready, at that instant.
    /// </summary>
    public PlanJobPod? Job { get; init; }
}

/// <summary>
/// A pod of a Job in a plan: <see cref="Job"/> is the Job's <c>namespace/name</c>; the pod is created once that many of the
/// Job's pods in the plan have succeeded (<see cref="JobShape.CreatedAfterSuccesses"/>; 0 = it exists from the start).
/// </summary>
public sealed record PlanJobPod(string Job, int CreatedAfterSuccesses);

/// <summary>
/// The plan for one function: its final phase (Succeeded, Failed; Pending when ready but never placed; Waiting when
/// never ready), the reason and message the operator would show, and its last attempt: node, number, start and end
/// (null when it never ran).
/// </summary>
public sealed record FunctionPlan(string Id, FunctionPhase Phase, string? Node, int Attempts, TimeSpan? Start, TimeSpan? End, string Reason, string Message);

/// <summary>A node's capacity and its peak allocation over the plan (every capacity resource listed, 0 if unused).</summary>
public sealed record NodePlan(string Name, ResourceList Capacity, ResourceList Peak);

/// <summary>What happened at an instant of the simulation.</summary>
public enum PlanEventKind
{
    Started,
    Succeeded,
    Failed,
    Preempted,
}

/// <summary>One timeline entry: an attempt started or ended (<see cref="PlanEventKind.Preempted"/>: evicted, to run again under the same attempt).</summary>
public sealed record PlanEvent(TimeSpan Time, string Id, PlanEventKind Kind, string Node, int Attempt);

/// <summary>A HandoffQueue at an instant of the plan, recorded when it changed: pending, admitted, usage, borrowed.</summary>
public sealed record QueuePlan(TimeSpan Time, string Queue, int Pending, int Admitted, ResourceList Usage, ResourceList Borrowed);

/// <summary>Optional planner plumbing; the defaults are what <c>handoff plan</c> uses.</summary>
public sealed record PlannerOptions
{
    /// <summary>
    /// Creates the (empty) tracker the simulation allocates in; default <see cref="Tracking.Indexing.IndexedResourceTracker"/>,
    /// which decides exactly as <see cref="SimpleResourceTracker"/> but finds nodes without scanning them all.
    /// </summary>
    public Func<IResourceTracker>? TrackerFactory { get; init; }

    /// <summary>Allocator per strategy; default <see cref="Allocation.Allocators.For"/>.</summary>
    public Func<AllocationStrategy, IAllocator>? Allocators { get; init; }

    /// <summary>The plan's HandoffQueues by name (inactive ones too: their functions wait, as in the operator).</summary>
    public IReadOnlyDictionary<string, Queueing.QueueQuota> Queues { get; init; } = new Dictionary<string, Queueing.QueueQuota>();

    /// <summary>The plan's PriorityClasses: name → value.</summary>
    public IReadOnlyDictionary<string, int> PriorityClasses { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// The labels of the namespaces the input describes (for queues' namespaceSelector); a namespace it does not
    /// describe has only <c>kubernetes.io/metadata.name</c>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
}

/// <summary>The planner's result: functions in input order, nodes in name order, the timeline and the makespan.</summary>
public sealed record PlanResult(IReadOnlyList<FunctionPlan> Functions, IReadOnlyList<NodePlan> Nodes, IReadOnlyList<PlanEvent> Events, TimeSpan Makespan)
{
    /// <summary>Per-queue usage over time: each queue whenever a cycle changed it, in time then queue order.</summary>
    public IReadOnlyList<QueuePlan> Queues { get; init; } = [];
}
