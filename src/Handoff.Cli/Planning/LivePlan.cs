using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Cluster;
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using k8s;
using k8s.Models;

namespace Handoff.Cli.Planning;

/// <summary>
/// <c>handoff plan --live</c>: the planner started from a cluster's state. The cluster's HandoffNodes and
/// HandoffFunctions go through the reader, validator and <see cref="PlanInput"/> exactly as manifests do (as if piped
/// from <c>kubectl get hn,hf -A -o yaml</c>), new manifests are added, and the plan's functions are then set where the
/// cluster has them: this is how the live state is handed to <see cref="Planner"/>, which has no initial state of its
/// own (see docs/cli.md, "plan --live").
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Finished functions (Succeeded, Failed) are not simulated: they are shown as the cluster has them, and a
/// Succeeded arg counts as done. A function a failed arg dooms (<see cref="DependencyResolver"/>) is shown Failed.</item>
/// <item>A function holding a node (Scheduled, Running) is pinned there ahead of everything else and runs for what is
/// left of its <c>handoff.dev/duration</c> from its <c>status.startTime</c>.</item>
/// <item>Waiting and Pending functions keep their queue order: their ready time (creation, args' successes, back-off
/// end: <see cref="QueueOrderKey.ReadyTime"/>) relative to now; new manifests are created now, behind them.</item>
/// <item>Attempts already used count against <c>maxRetries</c>; attempt numbers continue the cluster's.</item>
/// <item>HandoffNodes that are not Ready (or whose Node is cordoned) take nothing new; the cluster's Nodes and pods go
/// through <see cref="PlanInput"/> as manifests do: Node-backed capacity, what other workloads' pods hold, plain pods
/// bound by Handoff, and plain pods waiting for it (planned as <c>pod/NAME</c>).</item>
/// </list>
/// </remarks>
internal sealed record LivePlan(PlanDocument Document, IReadOnlyList<string> AssumedDurations)
{
    /// <summary>Offset of the functions that hold a node: before any ready time, so the queue places them first.</summary>
    private static readonly TimeSpan Holding = TimeSpan.FromDays(-36500);

    /// <summary>
    /// The cluster's HandoffNodes, Nodes, HandoffQueues, PriorityClasses, Namespaces, HandoffFunctions and pods (all but
    /// the functions' own, which the functions stand for) as one <c>kind: List</c>, for the manifest reader.
    /// </summary>
    public static string AsList(LiveCluster cluster)
    {
        var items = new JsonArray();
        var pods = cluster.Pods.Where(p => PodMapper.RoleOf(p) != PodRole.FunctionPod);
        var objects = cluster.HandoffNodes.Cast<object>().Concat(cluster.Nodes).Concat(cluster.Queues).Concat(cluster.PriorityClasses)
            .Concat(cluster.Namespaces).Concat(cluster.Functions).Concat(pods);
        foreach (var o in objects)
        {
            var item = JsonNode.Parse(KubernetesJson.Serialize(o))!.AsObject();
            // The items of a list of built-in kinds come without their kind.
            if (ManifestKinds.Of(o.GetType()) is { } kind)
            {
                item["apiVersion"] ??= kind.ApiVersion;
                item["kind"] ??= kind.Kind;
            }

            items.Add(item);
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = items }.ToJsonString();
    }

    public static LivePlan Run(LiveCluster cluster, PlanInput input, CancellationToken cancellationToken)
    {
        var graph = new FunctionGraph(input.Functions.Select(f => new FunctionDependencies(f.Id, f.Args) { CollocateWith = f.Placement.CollocateWith }));
        // PlanInput refuses a new manifest named like a cluster's function, so a function the cluster has is the cluster's.
        var live = input.Functions.Select(f => cluster.Function(f.Id)).ToArray();
        var outcomes = live.Select(hf => FunctionPhases.Parse(hf?.Status?.Phase) switch
        {
            FunctionPhase.Succeeded => ArgOutcome.Succeeded,
            FunctionPhase.Failed => ArgOutcome.Failed,
            _ => ArgOutcome.Unfinished,
        }).ToArray();
        var dependencies = DependencyResolver.Resolve(graph, outcomes);
        var nodes = SimulatedNodes(cluster, input.Nodes);
        var schedulable = nodes.Where(n => !n.Unschedulable).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);

        var fixedEntries = new Dictionary<string, FunctionEntry>(StringComparer.Ordinal);
        var attemptOffset = new Dictionary<string, int>(StringComparer.Ordinal);
        var simulated = new List<PlanFunction>();
        var assumed = new List<string>();
        for (var i = 0; i < input.Functions.Count; i++)
        {
            var f = input.Functions[i];
            var m = input.Mapped[f.Id];
            var hf = live[i];
            var status = hf?.Status;
            var phase = FunctionPhases.Parse(status?.Phase);
            if (phase is { } done && done.IsTerminal())
            {
                fixedEntries[f.Id] = new FunctionEntry(
                    m.Namespace, m.Name, done.Name(), status!.Node, status.Attempts, null, null, ReasonOf(hf!) ?? done.Name(), status.Message ?? "", m.Strategy.ToString())
                {
                    Source = "cluster",
                };
                continue;
            }

            if (dependencies[i].Status == DependencyStatus.DependencyFailed)
            {
                fixedEntries[f.Id] = new FunctionEntry(
                    m.Namespace, m.Name, FunctionPhases.Failed, null, status?.Attempts ?? 0, null, null, dependencies[i].Reason!, dependencies[i].Message!, m.Strategy.ToString())
                {
                    Source = hf is null ? "new" : "cluster",
                };
                continue;
            }

            var attempts = status?.Attempts ?? 0;
            var duration = hf is null ? f.Duration : DurationAnnotations.Of(hf);
            if (hf is not null && duration is null)
            {
                assumed.Add(f.Id);
            }

            var args = f.Args.Where(a => outcomes[graph.IndexOf(a)] != ArgOutcome.Succeeded).ToList();
            var placement = f.Placement;
            if (placement.CollocateWith is { } target && cluster.Function(target)?.Status is { Node: { Length: > 0 } targetNode } targetStatus
                && FunctionPhases.IsTerminal(targetStatus.Phase))
            {
                // Its target finished: it is not in the simulation, its node is known.
                placement = placement with { CollocateWith = null, Node = targetNode };
            }

            if (phase is FunctionPhase.Scheduled or FunctionPhase.Running && status!.Node is { Length: > 0 } node)
            {
                var started = status.StartTime is { } s ? LiveCluster.Utc(s) : cluster.Now;
                var left = started + (duration ?? PlanFunction.DefaultDuration) - cluster.Now;
                placement = schedulable.Contains(node)
                    ? placement with { Node = node, NodeSelector = null, CollocateWith = null, CollocateNode = null }
                    : new PlacementRequest(f.Id, ResourceList.Empty); // On a node that takes nothing new: only its end matters.
                attemptOffset[f.Id] = Math.Max(0, attempts - 1);
                simulated.Add(f with
                {
                    Placement = placement,
                    Args = [],
                    Duration = left > TimeSpan.Zero ? left : TimeSpan.Zero,
                    Created = Holding + (started - cluster.Now),
                    Retry = new RetryPolicy(Math.Max(0, m.MaxRetries - attemptOffset[f.Id])),
                });
                continue;
            }

            attemptOffset[f.Id] = attempts;
            var created = hf is null ? TimeSpan.Zero : ReadyTime(cluster, hf, m) - cluster.Now;
            simulated.Add(f with
            {
                Placement = placement,
                Args = args,
                Duration = duration ?? PlanFunction.DefaultDuration,
                Created = created,
                Retry = new RetryPolicy(Math.Max(0, m.MaxRetries - attempts)),
            });
        }

        var result = Planner.Run(nodes, simulated, input.Options, cancellationToken);
        var planned = result.Functions.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var entries = input.Functions.Select((f, i) =>
        {
            if (fixedEntries.TryGetValue(f.Id, out var entry))
            {
                return entry;
            }

            var m = input.Mapped[f.Id];
            var p = planned[f.Id];
            return new FunctionEntry(m.Namespace, m.Name, p.Phase.Name(), p.Node ?? live[i]?.Status?.Node, p.Attempts + attemptOffset[f.Id],
                p.Start?.TotalSeconds, p.End?.TotalSeconds, p.Reason, p.Message, m.Strategy.ToString())
            {
                Source = live[i] is null ? "new" : "cluster",
            };
        }).ToList();
        var document = new PlanDocument(
            entries,
            [.. result.Nodes.Select(n => new NodeEntry(n.Name, n.Capacity.ToDictionary(), n.Peak.ToDictionary()))],
            result.Makespan.TotalSeconds)
        {
            Timeline = [.. result.Events.Select(e =>
            {
                var m = input.Mapped[e.Id];
                return new TimelineEntry(e.Time.TotalSeconds, e.Kind.ToString(), m.Namespace, m.Name, e.Node, e.Attempt + attemptOffset[e.Id]);
            })],
            Now = cluster.Now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        return new LivePlan(document, assumed);
    }

    /// <summary>The cluster's nodes as the simulation sees them: not Ready or cordoned = takes nothing new.</summary>
    private static List<NodeInfo> SimulatedNodes(LiveCluster cluster, IReadOnlyList<NodeInfo> nodes)
    {
        var byName = cluster.HandoffNodes.ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);
        return [.. nodes.Select(n =>
        {
            if (!byName.TryGetValue(n.Name, out var hn))
            {
                return n; // A new HandoffNode from -f: taken as it is, like plan without --live.
            }

            var cordoned = cluster.NodeOf(hn)?.Spec?.Unschedulable == true;
            return n with { Unschedulable = n.Unschedulable || cordoned || !LiveCluster.IsReady(hn) };
        })];
    }

    private static DateTimeOffset ReadyTime(LiveCluster cluster, HandoffFunction hf, MappedFunction m)
    {
        static DateTimeOffset? Utc(DateTime? t) => t is { } v ? LiveCluster.Utc(v) : null;
        var created = Utc(hf.Metadata.CreationTimestamp) ?? cluster.Now;
        var argsDone = m.Args.Select(a => cluster.Function(a)?.Status is { Phase: FunctionPhases.Succeeded } s ? Utc(s.CompletionTime) : null);
        return QueueOrderKey.ReadyTime(created, argsDone, Utc(hf.Status?.RetryAfter));
    }

    private static string? ReasonOf(HandoffFunction f) =>
        f.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Completed)?.Reason;
}
