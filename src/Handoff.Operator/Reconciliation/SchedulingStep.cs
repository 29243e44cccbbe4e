using Handoff.Core;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;
using Handoff.Operator.Controllers;

namespace Handoff.Operator.Reconciliation;

/// <summary>A function the cycle is asked to place, with the pod it will create if placed.</summary>
public sealed record FunctionWorkload(FunctionView Function, Workload Workload, string PodName, int Attempt);

/// <summary>What step 6 decided: the workloads offered (functions by key, plain pods by workload id) and the cycle's answer.</summary>
public sealed record SchedulingOutcome(IReadOnlyDictionary<string, FunctionWorkload> Offered, CycleResult Cycle)
{
    /// <summary>The plain pods offered, by workload id.</summary>
    public IReadOnlyDictionary<string, PlainPod> OfferedPods { get; init; } = new Dictionary<string, PlainPod>();

    private readonly Dictionary<string, Placement> _placed = Cycle.Placed.ToDictionary(p => p.Workload.Id, StringComparer.Ordinal);
    private readonly Dictionary<string, Unplaced> _unplaced = Cycle.Unplaced.ToDictionary(p => p.Workload.Id, StringComparer.Ordinal);

    public Placement? PlacementOf(string key) => _placed.GetValueOrDefault(key);

    public Unplaced? UnplacedOf(string key) => _unplaced.GetValueOrDefault(key);
}

/// <summary>
/// Step 6 of a pass: the ready functions with no live pod, and the plain pods that name Handoff and are not bound →
/// workloads in the queue order of api.md rule 2 (ready time — creation, last arg's success or the end of the back-off
/// — then creation, then id), and one <see cref="SchedulingCycle"/> over them, allocating in the term's tracker (which
/// holds exactly what live pods hold).
/// </summary>
public static class SchedulingStep
{
    public static SchedulingOutcome Run(
        IReadOnlyList<FunctionView> functions, DependencyState[] dependencies, PodView pods, NodeView nodes, IResourceTracker tracker,
        CancellationToken cancellationToken)
    {
        var byKey = functions.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var offered = new Dictionary<string, FunctionWorkload>(StringComparer.Ordinal);
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < functions.Count; i++)
        {
            var f = functions[i];
            if (f.PlacedNode is { } node)
            {
                known[f.Key] = node;
            }

            if (f.State is not NotStarted next || f.Mapped is not { } mapped || dependencies[i].Status != DependencyStatus.Ready || f.InputProblem is not null)
            {
                continue;
            }

            var argsDone = mapped.Args.Select(a => byKey.GetValueOrDefault(a)?.State is Succeeded s ? s.CompletionTime : (DateTimeOffset?)null);
            var ready = QueueOrderKey.ReadyTime(f.Created, argsDone, next.ReadyAfter);
            var podName = FunctionPods.NextPodName(f.Namespace, f.Name, next.Attempt, pods.Names);
            var workload = new Workload(mapped.Placement, mapped.Strategy, new QueueOrderKey(ready, f.Created, f.Key))
            {
                Holder = ObjectKeys.Of(f.Namespace, podName),
            };
            offered[f.Key] = new FunctionWorkload(f, workload, podName, next.Attempt);
        }

        // Plain pods that name Handoff are queued with the functions, by the same rules.
        var offeredPods = new Dictionary<string, PlainPod>(StringComparer.Ordinal);
        var workloads = offered.Values.Select(o => o.Workload).ToList();
        foreach (var pod in pods.Pending)
        {
            if (pod.Mapped is not { } mapped)
            {
                continue;
            }

            var created = pod.Pod.Metadata.CreationTimestamp is { } t ? FunctionView.Utc(t) : DateTimeOffset.MinValue;
            workloads.Add(new Workload(mapped.Placement, mapped.Strategy, new QueueOrderKey(created, created, mapped.Placement.Id))
            {
                Kind = WorkloadKind.Pod,
                Holder = pod.Key,
            });
            offeredPods[mapped.Placement.Id] = pod;
        }

        var cycle = SchedulingCycle.Run(new CycleInput(nodes.Nodes, tracker, workloads) { KnownPlacements = known }, cancellationToken);
        return new SchedulingOutcome(offered, cycle) { OfferedPods = offeredPods };
    }
}
