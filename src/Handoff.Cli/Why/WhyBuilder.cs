using System.Globalization;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Cluster;
using Handoff.Cli.Planning;
using Handoff.Core;
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using k8s.Models;

namespace Handoff.Cli.Why;

/// <summary>
/// Builds <see cref="WhyReport"/>s. Every rule comes from Handoff.Core: the dependency state from
/// <see cref="DependencyResolver"/>, the placement verdict from the allocator's own explanation
/// (<see cref="IAllocator.Allocate"/>), the per-node rows from <see cref="NodeRows"/>, the estimate from the planner
/// run from the live state (<see cref="LivePlan"/>).
/// </summary>
internal static class WhyBuilder
{
    public static WhyReport ForFunction(LiveCluster cluster, string id, CancellationToken cancellationToken)
    {
        var hf = cluster.Function(id) ?? throw new ClusterException($"HandoffFunction {id} not found");
        var status = hf.Status;
        var phase = FunctionPhases.Parse(status?.Phase);
        var reason = status?.Conditions?.FirstOrDefault(c => c.Type == ConditionOf(phase))?.Reason;
        var details = new List<(string, string)>();
        MappedFunction mapped;
        try
        {
            mapped = HandoffMapper.ToFunction(hf);
        }
        catch (ManifestValidationException e)
        {
            return new WhyReport($"HandoffFunction {id}", status?.Phase) { Reason = reason, Message = status?.Message, Why = "its spec is invalid: " + e.Message };
        }

        // Dependencies: the one resolution, over the function's namespace.
        var ns = mapped.Namespace;
        var functions = cluster.FunctionsIn(ns).ToList();
        var graph = new FunctionGraph(functions.Select(f => new FunctionDependencies(
            LiveCluster.Id(f), [.. (f.Spec?.Args ?? []).Select(a => ObjectKeys.Of(ns, a))])
        {
            CollocateWith = f.Spec?.CollocateWith is { } c ? ObjectKeys.Of(ns, c) : null,
        }));
        var outcomes = functions.Select(f => FunctionPhases.Parse(f.Status?.Phase) switch
        {
            FunctionPhase.Succeeded => ArgOutcome.Succeeded,
            FunctionPhase.Failed => ArgOutcome.Failed,
            _ => ArgOutcome.Unfinished,
        }).ToList();
        var dependency = DependencyResolver.Resolve(graph, outcomes)[graph.IndexOf(id)];
        var args = mapped.Args.Select(a =>
        {
            var arg = cluster.Function(a);
            var note = arg is null ? "no such HandoffFunction"
                : arg.Status?.Phase == FunctionPhases.Succeeded ? "done" + (string.IsNullOrEmpty(arg.Status.Result) ? "" : $": result {Shorten(arg.Status.Result)}")
                : arg.Status?.Phase == FunctionPhases.Failed ? "failed: " + arg.Status.Message
                : "waited for";
            return new ArgRow(ObjectKeys.NameOf(a), arg?.Status?.Phase, arg?.Status?.Node, note);
        }).ToList();

        var rows = new NodeRows(cluster);
        var request = mapped.Placement;
        if (request.CollocateWith is { } target && cluster.Function(target)?.Status?.Node is { Length: > 0 } targetNode)
        {
            request = request with { CollocateNode = targetNode };
        }

        var holding = phase is FunctionPhase.Scheduled or FunctionPhase.Running ? status?.Node : null;
        var nodeRows = rows.For(request, holding);

        details.Add(("strategy", mapped.ExplicitStrategy?.ToString() ?? $"{mapped.Strategy} (none named: the operator's default)"));
        details.Add(("cost", request.Cost.Count == 0 ? "nothing (fits any schedulable node)" : request.Cost.ToString()));
        if (!string.IsNullOrEmpty(hf.Spec?.Queue) || status?.QueuePosition is not null)
        {
            details.Add(("queue", $"{(string.IsNullOrEmpty(hf.Spec?.Queue) ? "(none)" : hf.Spec.Queue)}{(status?.QueuePosition is { } position ? $", position {position}" : "")}"));
            if (cluster.Queues.FirstOrDefault(q => q.Metadata.Name == hf.Spec?.Queue) is { } queue)
            {
                details.Add(("queue usage", QueueUsage(queue)));
            }
        }

        if (status?.Attempts > 0)
        {
            details.Add(("attempts", $"{status.Attempts} (maxRetries {mapped.MaxRetries})"));
        }

        if (!string.IsNullOrEmpty(status?.Node))
        {
            details.Add(("node", status.Node + (string.IsNullOrEmpty(status.PodName) ? "" : $" (pod {status.PodName})")));
        }

        var why = phase switch
        {
            FunctionPhase.Succeeded => $"it finished: Succeeded on {status!.Node}{(string.IsNullOrEmpty(status.Result) ? "" : $", result {Shorten(status.Result)}")}",
            FunctionPhase.Failed => $"it failed: {reason ?? FunctionPhases.Failed}: {status!.Message}",
            FunctionPhase.Scheduled or FunctionPhase.Running => $"it holds {status!.Node} and {(phase == FunctionPhase.Running ? "runs" : "is starting")} there{(status.StartTime is { } s ? $" since {s.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}" : "")}",
            _ when dependency.Status != DependencyStatus.Ready => dependency.Message!,
            _ when reason == Reasons.Retrying => status!.Message ?? "it waits for its retry back-off to end",
            _ when reason is not null && QueueReasons.Contains(reason) => $"its queue holds it back: {status!.Message}",
            _ => Placement(request, mapped.Strategy, rows, status),
        };

        var likely = phase is FunctionPhase.Waiting or FunctionPhase.Pending or null && dependency.Status is DependencyStatus.Ready or DependencyStatus.Waiting
            ? LikelyStart(cluster, id, cancellationToken)
            : null;
        return new WhyReport($"HandoffFunction {id}", status?.Phase)
        {
            Reason = reason,
            Message = status?.Message,
            Why = why,
            Details = details,
            Args = args,
            Resources = [.. request.Cost.Names],
            Nodes = phase == FunctionPhase.Succeeded ? [] : nodeRows,
            LikelyStart = likely,
        };
    }

    /// <summary>A plain pod Handoff schedules (<c>spec.schedulerName</c> is Handoff's): the same rows, for its effective request.</summary>
    public static WhyReport ForPod(LiveCluster cluster, V1Pod pod, string schedulerName)
    {
        var id = ObjectKeys.Of(pod.Metadata.NamespaceProperty ?? "default", pod.Metadata.Name);
        var scheduled = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        var details = new List<(string, string)> { ("scheduler", pod.Spec?.SchedulerName ?? "default-scheduler") };
        if (pod.Spec?.SchedulerName != schedulerName)
        {
            return new WhyReport($"Pod {id}", pod.Status?.Phase)
            {
                Reason = scheduled?.Reason,
                Message = scheduled?.Message,
                Why = $"Handoff does not schedule it: its spec.schedulerName is {pod.Spec?.SchedulerName ?? "default-scheduler"}, not {schedulerName}",
                Details = details,
            };
        }

        var cost = PodMapper.RequestOf(pod);
        details.Add(("cost", cost.Count == 0 ? "nothing (no requests)" : cost + " (its effective request)"));
        var rows = new NodeRows(cluster);
        var holding = cluster.HandoffNodes.FirstOrDefault(n => HandoffMapper.KubernetesNodeName(n) == pod.Spec.NodeName)?.Metadata.Name;
        if (!string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            details.Add(("node", pod.Spec.NodeName + (holding is null ? " (no HandoffNode names it)" : $" (HandoffNode {holding})")));
        }

        var nodeRows = rows.For(new Handoff.Core.Allocation.PlacementRequest(id, cost)
        {
            Tolerations = KubernetesMapper.TolerationsOf(pod.Spec),
            Affinity = KubernetesMapper.AffinityOf(pod.Spec),
            Subject = "Pod",
        }, holding);
        var why = !string.IsNullOrEmpty(pod.Spec.NodeName)
            ? $"it is bound to {pod.Spec.NodeName} ({pod.Status?.Phase})"
            : nodeRows.FirstOrDefault(r => r.Fits) is { } fits
                ? $"it fits now on {fits.Name}: Handoff binds it at its next pass"
                : NoNode(nodeRows);
        return new WhyReport($"Pod {id}", pod.Status?.Phase)
        {
            Reason = scheduled?.Reason,
            Message = scheduled?.Message,
            Why = why,
            Details = details,
            Resources = [.. cost.Names],
            Nodes = nodeRows,
        };
    }

    // The allocator sees the Nodes' taints and the request's tolerations: its message names them as kube-scheduler does.
    private static string Placement(PlacementRequest request, AllocationStrategy strategy, NodeRows rows, HandoffFunctionStatus? status)
    {
        var decision = Allocators.For(strategy).Allocate(request, rows.Nodes, rows.Capacity);
        return decision.Success
            ? $"it fits now on {decision.Node} ({strategy}): the operator places it at its next pass{(status?.QueuePosition is { } p ? $" (queue position {p})" : "")}"
            : decision.Message;
    }

    private static string NoNode(IReadOnlyList<NodeRow> rows) =>
        rows.Count == 0 ? "there are no HandoffNodes" : "no HandoffNode fits: " + string.Join("; ", rows.Select(r => $"{r.Name}: {r.Verdict}"));

    /// <summary>The planner's answer from the live state, or why it cannot be trusted (it depends on a guessed duration).</summary>
    private static string LikelyStart(LiveCluster cluster, string id, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (PlanRunner.LiveInput(cluster, AllocationStrategy.FirstAvailable, errors) is not { } input)
        {
            return $"unknown: the cluster has objects the planner cannot read ({errors[0]})";
        }

        var plan = LivePlan.Run(cluster, input, cancellationToken);
        var entry = plan.Document.Functions.First(f => ObjectKeys.Of(f.Namespace, f.Name) == id);
        if (entry.Start is not { } start)
        {
            return $"not while the cluster stays as it is (the plan from now ends with it {entry.Phase}: {entry.Message})";
        }

        // What it waits for: its args (transitively), and — when it needs room — what ends on its node before it starts.
        var needsRoom = input.Mapped.TryGetValue(id, out var self) && self.Placement.Cost.Count > 0;
        var upstream = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([id]);
        while (pending.TryPop(out var next))
        {
            foreach (var arg in input.Mapped.TryGetValue(next, out var mapped) ? mapped.Args : [])
            {
                if (upstream.Add(arg))
                {
                    pending.Push(arg);
                }
            }
        }

        var guessed = plan.Document.Timeline
            .Where(e => e.Event != "Started" && e.Time <= start && plan.AssumedDurations.Contains(ObjectKeys.Of(e.Namespace, e.Name))
                && (upstream.Contains(ObjectKeys.Of(e.Namespace, e.Name)) || (needsRoom && e.Node == entry.Node)))
            .Select(e => e.Name).Distinct(StringComparer.Ordinal).ToList();
        if (guessed.Count > 0)
        {
            return $"unknown: it starts once {string.Join(", ", guessed)} end{(guessed.Count == 1 ? "s" : "")}, and {(guessed.Count == 1 ? "that has" : "they have")} no {HandoffApi.DurationAnnotation} annotation";
        }

        var at = cluster.Now + TimeSpan.FromSeconds(start);
        return start <= 0
            ? $"now, on {entry.Node}"
            : string.Create(CultureInfo.InvariantCulture, $"in about {start:0.#}s (at {at.UtcDateTime:HH:mm:ss}Z) on {entry.Node}, from the running functions' {HandoffApi.DurationAnnotation}");
    }

    // Why the operator's cycle keeps a ready function out (quota, gang, StrictFIFO head, queue or class): its status
    // message, written from Core's decision, says it with the numbers and the position.
    private static readonly HashSet<string> QueueReasons = new(StringComparer.Ordinal)
    {
        Reasons.QuotaExceeded, Reasons.GangWaiting, Reasons.GangFailed, Reasons.BlockedByQueueHead, Reasons.UnknownQueue,
        Reasons.QueueInactive, Reasons.NamespaceNotAllowed, Reasons.UnknownPriorityClass, Reasons.Preempted, Reasons.Preempting,
    };

    /// <summary><c>cpu=2 of quota cpu=2, 1 admitted, 3 pending</c>, from the queue's spec and the status the operator wrote.</summary>
    private static string QueueUsage(HandoffQueue queue)
    {
        var usage = LiveCluster.Resources(queue.Status?.Usage);
        var quota = LiveCluster.Resources(queue.Spec?.Quota);
        var borrowed = ResourceList.FromMilli(LiveCluster.Resources(queue.Status?.Borrowed).Where(r => r.Value > 0));
        return $"{(usage.Count == 0 ? "nothing" : usage.ToString())} of quota {(quota.Count == 0 ? "none" : quota.ToString())}"
            + (borrowed.Count == 0 ? "" : $" (borrowed {borrowed})")
            + string.Create(CultureInfo.InvariantCulture, $", {queue.Status?.Admitted ?? 0} admitted, {queue.Status?.Pending ?? 0} pending");
    }

    private static string ConditionOf(FunctionPhase? phase) => phase switch
    {
        FunctionPhase.Waiting => ConditionTypes.DependenciesReady,
        FunctionPhase.Succeeded or FunctionPhase.Failed => ConditionTypes.Completed,
        _ => ConditionTypes.Scheduled,
    };

    private static string Shorten(string text)
    {
        var line = text.Trim().ReplaceLineEndings(" ");
        return line.Length <= 40 ? line : line[..39] + "…";
    }
}
