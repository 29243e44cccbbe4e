using Handoff.Core;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Queueing;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;
using Handoff.Operator.Controllers;

namespace Handoff.Operator.Reconciliation;

/// <summary>A function the cycle is asked to place, with the pod it will create if placed, and its dependencies (all ready).</summary>
public sealed record FunctionWorkload(FunctionView Function, Workload Workload, string PodName, int Attempt)
{
    /// <summary>Its dependency state as step 5 resolved it (what its status report is made of once it is placed).</summary>
    public DependencyState Dependencies { get; init; } = DependencyState.Ready;
}

/// <summary>What step 6 decided: the workloads offered (functions by key, plain pods by workload id) and the cycle's answer.</summary>
public sealed record SchedulingOutcome(IReadOnlyDictionary<string, FunctionWorkload> Offered, CycleResult Cycle)
{
    /// <summary>The plain pods offered, by workload id.</summary>
    public IReadOnlyDictionary<string, PlainPod> OfferedPods { get; init; } = new Dictionary<string, PlainPod>();

    /// <summary>
    /// Ready functions (by key) and plain pods (by workload id) kept out of the cycle: their queue is unknown, inactive
    /// or not open to their namespace, or their PriorityClass is unknown.
    /// </summary>
    public IReadOnlyDictionary<string, AdmissionBlock> Blocked { get; init; } = new Dictionary<string, AdmissionBlock>();

    /// <summary>The functions of <see cref="Blocked"/>.</summary>
    public IReadOnlyList<FunctionView> BlockedFunctions { get; init; } = [];

    /// <summary>How many ready workloads naming each queue are kept out of the cycle (they are pending in it all the same).</summary>
    public IReadOnlyDictionary<string, int> BlockedPerQueue { get; init; } = new Dictionary<string, int>();

    /// <summary>Plain pods kept out of the cycle (see <see cref="Blocked"/>), by workload id.</summary>
    public IReadOnlyDictionary<string, PlainPod> BlockedPods { get; init; } = new Dictionary<string, PlainPod>();

    /// <summary>Unplaced gang members whose gang can no longer reach minMembers: they fail (<c>GangFailed</c>), by key.</summary>
    public IReadOnlyDictionary<string, string> GangFailures { get; init; } = new Dictionary<string, string>();

    /// <summary>The gangs' bookkeeping the cycle was given.</summary>
    public GangBook Gangs { get; init; } = GangBook.Empty;

    /// <summary>The queues and what holds capacity, as the cycle was given them.</summary>
    public QueueContext Queueing { get; init; } = QueueContext.Empty;

    /// <summary>What held capacity before the cycle (the candidates for preemption).</summary>
    public IReadOnlyList<AdmittedWorkload> Admitted { get; init; } = [];

    private readonly Dictionary<string, Placement> _placed = Cycle.Placed.ToDictionary(p => p.Workload.Id, StringComparer.Ordinal);
    private readonly Dictionary<string, Unplaced> _unplaced = Cycle.Unplaced.ToDictionary(p => p.Workload.Id, StringComparer.Ordinal);

    public Placement? PlacementOf(string key) => _placed.GetValueOrDefault(key);

    public Unplaced? UnplacedOf(string key) => _unplaced.GetValueOrDefault(key);
}

/// <summary>
/// Step 6 of a pass: the ready functions with no live pod, and the plain pods that name Handoff and are not bound →
/// workloads in the queue order of api.md rule 2 (ready time — creation, last arg's success or the end of the back-off
/// — then creation, then id), and one <see cref="SchedulingCycle"/> over them, allocating in the term's tracker (which
/// holds exactly what live pods hold). With queues (api.md, "Queues"): each workload's queue, priority, gang and
/// preemption policy are resolved first (<see cref="QueueAdmission.Admit"/>: one that names an unknown queue or
/// PriorityClass waits outside the cycle), the live pods are what is admitted, and the gangs' bookkeeping comes from
/// every function's state.
/// </summary>
public static class SchedulingStep
{
    public static SchedulingOutcome Run(
        IReadOnlyList<FunctionView> functions, DependencyState[] dependencies, PodView pods, NodeView nodes, IResourceTracker tracker,
        CancellationToken cancellationToken, QueueContext? queueing = null)
    {
        queueing ??= QueueContext.Empty;
        var gangs = QueueContext.GangsOf(functions, dependencies);
        var blocked = new Dictionary<string, AdmissionBlock>(StringComparer.Ordinal);
        var blockedFunctions = new List<FunctionView>();
        var gangFailures = new Dictionary<string, string>(StringComparer.Ordinal);
        var blockedPerQueue = new Dictionary<string, int>(StringComparer.Ordinal);
        // The functions by key, made only when a function to offer names args or the cycle looks a collocateWith target
        // up: most passes of a stream do neither, and made on every pass the index cost 1 ms at 15,000 functions.
        var byKey = new Lazy<Dictionary<string, FunctionView>>(() => functions.ToDictionary(f => f.Key, StringComparer.Ordinal));
        var offered = new Dictionary<string, FunctionWorkload>(StringComparer.Ordinal);
        for (var i = 0; i < functions.Count; i++)
        {
            var f = functions[i];
            if (f.State is not NotStarted next || f.Mapped is not { } mapped || dependencies[i].Status != DependencyStatus.Ready || f.InputProblem is not null)
            {
                continue;
            }

            var argsDone = mapped.Args.Select(a => byKey.Value.GetValueOrDefault(a)?.State is Succeeded s ? s.CompletionTime : (DateTimeOffset?)null);
            var ready = QueueOrderKey.ReadyTime(f.Created, argsDone, next.ReadyAfter);
            var podName = FunctionPods.NextPodName(f.Namespace, f.Name, next.Attempt, pods.NameTaken);
            if (gangs.FailureOf(f.Key) is { } gangFailure)
            {
                gangFailures[f.Key] = gangFailure;
                continue;
            }

            var (workload, block) = QueueAdmission.Admit(
                new Workload(mapped.Placement, mapped.Strategy, new QueueOrderKey(ready, f.Created, f.Key)) { Holder = ObjectKeys.Of(f.Namespace, podName) },
                mapped.Traits, f.Namespace, queueing.LabelsOf(f.Namespace), queueing.Queues,
                queueing.PriorityClasses);
            if (block is not null)
            {
                blocked[f.Key] = block;
                blockedFunctions.Add(f);
                Count(blockedPerQueue, mapped.Traits.Queue);
                continue;
            }

            offered[f.Key] = new FunctionWorkload(f, workload, podName, next.Attempt) { Dependencies = dependencies[i] };
        }

        // Plain pods that name Handoff are queued with the functions, by the same rules.
        var offeredPods = new Dictionary<string, PlainPod>(StringComparer.Ordinal);
        var blockedPods = new Dictionary<string, PlainPod>(StringComparer.Ordinal);
        var workloads = offered.Values.Select(o => o.Workload).ToList();
        foreach (var pod in pods.Pending)
        {
            if (pod.Mapped is not { } mapped)
            {
                continue;
            }

            var created = pod.Pod.Metadata.CreationTimestamp is { } t ? FunctionView.Utc(t) : DateTimeOffset.MinValue;
            var ns = pod.Pod.Metadata.NamespaceProperty ?? "";
            var (workload, block) = QueueAdmission.Admit(
                new Workload(mapped.Placement, mapped.Strategy, new QueueOrderKey(created, created, mapped.Placement.Id)) { Kind = WorkloadKind.Pod, Holder = pod.Key },
                mapped.Traits, ns, queueing.LabelsOf(ns), queueing.Queues, queueing.PriorityClasses);
            if (block is not null)
            {
                blocked[mapped.Placement.Id] = block;
                Count(blockedPerQueue, mapped.Traits.Queue);
                blockedPods[mapped.Placement.Id] = pod;
                continue;
            }

            workloads.Add(workload);
            offeredPods[mapped.Placement.Id] = pod;
        }

        // Read by quotas and preemption only: made if the cycle asks (most passes of a cluster without queues never do).
        var admitted = new DeferredList<AdmittedWorkload>(() => queueing.AdmittedOf(pods, functions));
        var cycle = SchedulingCycle.Run(
            new CycleInput(nodes.Nodes, tracker, workloads) { KnownPlacements = new PlacedNodes(byKey), Queues = queueing.ActiveQueues, Admitted = admitted, Gangs = gangs },
            cancellationToken);
        return new SchedulingOutcome(offered, cycle)
        {
            OfferedPods = offeredPods,
            Blocked = blocked,
            BlockedFunctions = blockedFunctions,
            BlockedPods = blockedPods,
            GangFailures = gangFailures,
            BlockedPerQueue = blockedPerQueue,
            Gangs = gangs,
            Queueing = queueing,
            Admitted = admitted,
        };
    }

    private static void Count(Dictionary<string, int> perQueue, string? queue)
    {
        if (queue is not null)
        {
            perQueue[queue] = perQueue.GetValueOrDefault(queue) + 1;
        }
    }
}
