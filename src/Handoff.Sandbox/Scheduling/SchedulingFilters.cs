using System.Text.Json.Nodes;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Scheduling;

/// <summary>Why a node cannot take a pod: kube-scheduler's reasons, and whether preemption could ever help there.</summary>
/// <param name="Reasons">One or more reasons of the first filter that failed (<c>Insufficient cpu</c>, <c>Insufficient memory</c>, ...).</param>
/// <param name="Unresolvable">UnschedulableAndUnresolvable: evicting pods would not help (taints, affinity, a cordoned node).</param>
internal sealed record NodeVerdict(IReadOnlyList<string> Reasons, bool Unresolvable)
{
    public static NodeVerdict Fits { get; } = new([], false);

    public bool Feasible => Reasons.Count == 0;
}

/// <summary>
/// kube-scheduler's default filters, in its order, stopping at the first that fails: NodeUnschedulable,
/// TaintToleration (NoSchedule and NoExecute), NodeAffinity (nodeSelector and required node affinity),
/// NodeResourcesFit (the pod count, cpu, memory, ephemeral-storage, extended resources).
/// </summary>
internal static class SchedulingFilters
{
    public const string UnschedulableReason = "node(s) were unschedulable";
    public const string UntoleratedTaintReason = "node(s) had untolerated taint(s)";

    /// <param name="used">The summed effective requests of the non-terminal pods bound to the node.</param>
    public static NodeVerdict Check(JsonNode? podSpec, ResourceAmounts request, JsonObject node, ResourceAmounts used, int podsOnNode)
    {
        if (JsonNodes.At(node, "spec", "unschedulable") is JsonValue v && v.TryGetValue<bool>(out var cordoned) && cordoned &&
            !(JsonNodes.At(podSpec, "tolerations") as JsonArray ?? []).OfType<JsonObject>().Any(t => Taints.Tolerates(t, UnschedulableTaint)))
        {
            return new NodeVerdict([UnschedulableReason], true);
        }

        if (Taints.FirstUntolerated(node, podSpec, "NoSchedule", "NoExecute") is not null)
        {
            return new NodeVerdict([UntoleratedTaintReason], true);
        }

        if (!NodeAffinity.Matches(podSpec, node))
        {
            return new NodeVerdict([NodeAffinity.MismatchReason], true);
        }

        var allocatable = ResourceAmounts.From(JsonNodes.At(node, "status", "allocatable"));
        var insufficient = NodeResourcesFit.Check(request, allocatable, used, podsOnNode, ignoreMissingExtended: false);
        return insufficient.Count == 0 ? NodeVerdict.Fits : new NodeVerdict([.. insufficient.Select(i => i.SchedulerReason)], false);
    }

    private static readonly JsonObject UnschedulableTaint = new() { ["key"] = WellKnownTaints.Unschedulable, ["effect"] = "NoSchedule" };

    /// <summary>
    /// kube-scheduler's FitError message with the PostFilter part of a scheduler that does not preempt:
    /// <c>0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint(s). no new claims to deallocate,
    /// preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.</c>
    /// </summary>
    public static string FailureMessage(IReadOnlyCollection<NodeVerdict> verdicts, bool preemptionNever)
    {
        if (verdicts.Count == 0)
        {
            return "no nodes available to schedule pods";
        }

        var reasons = verdicts.SelectMany(v => v.Reasons).GroupBy(r => r).Select(g => $"{g.Count()} {g.Key}").Order(StringComparer.Ordinal);
        var message = $"0/{verdicts.Count} nodes are available: {string.Join(", ", reasons)}. no new claims to deallocate, ";
        if (preemptionNever)
        {
            return message + "preemption: not eligible due to preemptionPolicy=Never.";
        }

        var preemption = verdicts.GroupBy(v => v.Unresolvable ? "Preemption is not helpful for scheduling" : "No preemption victims found for incoming pod")
            .Select(g => $"{g.Count()} {g.Key}").Order(StringComparer.Ordinal);
        return message + $"preemption: 0/{verdicts.Count} nodes are available: {string.Join(", ", preemption)}.";
    }

    /// <summary>LeastAllocated over cpu and memory (with kube-scheduler's non-zero defaults of 100m and 200Mi): higher is emptier.</summary>
    public static decimal Score(ResourceAmounts request, JsonObject node, ResourceAmounts used)
    {
        var allocatable = ResourceAmounts.From(JsonNodes.At(node, "status", "allocatable"));
        decimal total = 0;
        foreach (var (name, fallback) in new[] { ("cpu", 0.1m), ("memory", 200m * 1024 * 1024) })
        {
            var capacity = allocatable.Get(name);
            var wanted = request.TryGetValue(name, out var r) && r > 0 ? r : fallback;
            total += capacity <= 0 ? 0 : Math.Max(0, capacity - used.Get(name) - wanted) / capacity;
        }

        return total / 2;
    }
}
