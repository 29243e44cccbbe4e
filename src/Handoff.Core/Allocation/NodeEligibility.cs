using Handoff.Core.Nodes;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Allocation;

/// <summary>
/// Whether a node may take a request, apart from its resources: the one place the eligibility rules live. A node is
/// eligible when it is not cordoned, is Ready, is the pinned node (if any), is the collocation node (if any), matches
/// the node selector and the pod's own node affinity, has no NoSchedule/NoExecute taint the pod does not tolerate (as
/// kube-scheduler's filters), and — where it counts pods — has a pod slot left.
/// </summary>
public static class NodeEligibility
{
    private static readonly ResourceList OnePod = ResourceList.FromMilli([KeyValuePair.Create(PodsResource, 1000L)]);

    /// <summary>The resource every pod takes one of on a node whose capacity comes from the Kubernetes Node.</summary>
    public const string PodsResource = "pods";

    /// <summary>Whether <paramref name="node"/> passes every filter except its resources.</summary>
    public static bool IsEligible(PlacementRequest request, NodeInfo node) =>
        !node.Unschedulable && node.Ready && MatchesConstraints(request, node) && UntoleratedTaint(request, node) is null;

    /// <summary>The first NoSchedule/NoExecute taint of the node the request does not tolerate, or null.</summary>
    public static Taint? UntoleratedTaint(PlacementRequest request, NodeInfo node) =>
        node.Taints.Count == 0 ? null : TaintToleration.FindUntoleratedForScheduling(node.Taints, request.Tolerations as IReadOnlyCollection<Toleration> ?? [.. request.Tolerations]);

    /// <summary>Whether <paramref name="node"/> passes the request's own constraints: pinned node, collocation node, node selector, node affinity.</summary>
    public static bool MatchesConstraints(PlacementRequest request, NodeInfo node) =>
        (request.Node is null || string.Equals(request.Node, node.Name, StringComparison.Ordinal))
        && (request.CollocateNode is null || string.Equals(request.CollocateNode, node.Name, StringComparison.Ordinal))
        && MatchesSelector(request.NodeSelector, node)
        && (request.Affinity?.Matches(node.AffinityTarget) ?? true);

    /// <summary>What a placement on <paramref name="node"/> holds: the cost, plus one pod where the node counts pods.</summary>
    public static ResourceList CostOn(ResourceList cost, NodeInfo node) => node.CountsPods ? cost.Add(OnePod) : cost;

    /// <summary>Whether a node that counts pods has one left (always true for one that does not).</summary>
    public static bool HasPodSlot(NodeInfo node, ICapacityQuery capacity) =>
        !node.CountsPods || (capacity.TryGetCapacity(node.Name, out _, out var available) && available[PodsResource] >= 1000);

    /// <summary>Why <paramref name="node"/> is not eligible (resources aside), or null when it is.</summary>
    public static NodeRejectionReason? RejectionOf(PlacementRequest request, NodeInfo node, ICapacityQuery capacity) =>
        node.Unschedulable ? NodeRejectionReason.Unschedulable
        : request.Node is not null && !string.Equals(request.Node, node.Name, StringComparison.Ordinal) ? NodeRejectionReason.NodeNameMismatch
        : request.CollocateNode is not null && !string.Equals(request.CollocateNode, node.Name, StringComparison.Ordinal) ? NodeRejectionReason.CollocationMismatch
        : !node.Ready ? NodeRejectionReason.NotReady
        : !MatchesSelector(request.NodeSelector, node) ? NodeRejectionReason.NodeSelectorMismatch
        : !(request.Affinity?.Matches(node.AffinityTarget) ?? true) ? NodeRejectionReason.NodeAffinityMismatch
        : UntoleratedTaint(request, node) is not null ? NodeRejectionReason.UntoleratedTaint
        : !capacity.TryGetCapacity(node.Name, out _, out _) ? NodeRejectionReason.NotTracked
        : !HasPodSlot(node, capacity) ? NodeRejectionReason.TooManyPods
        : null;

    private static bool MatchesSelector(IReadOnlyDictionary<string, string>? selector, NodeInfo node)
    {
        if (selector is null)
        {
            return true;
        }

        foreach (var (key, value) in selector)
        {
            if (!node.Labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
