using Handoff.Api.Mapping;
using Handoff.Cli.Cluster;
using Handoff.Core.Allocation;
using Handoff.Core.Nodes;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using k8s.Models;

namespace Handoff.Cli.Why;

/// <summary>
/// The HandoffNodes of a cluster as the operator's allocation sees them — <see cref="NodeInfo"/>s (Ready from the
/// operator's condition, cordoned by the HandoffNode or its Node) and a tracker holding what the operator reports held
/// on each (<c>status.allocated</c> plus <c>status.external</c>) — and one <see cref="NodeRow"/> per node for a request,
/// every verdict from Handoff.Core (<see cref="NodeEligibility"/>, <see cref="TaintToleration"/>,
/// <see cref="RequiredNodeAffinity"/>, <see cref="ResourceList.InsufficientIn"/>).
/// </summary>
internal sealed class NodeRows
{
    private readonly LiveCluster _cluster;
    private readonly Dictionary<string, NodeInfo> _infos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _invalid = new(StringComparer.Ordinal);

    public NodeRows(LiveCluster cluster)
    {
        _cluster = cluster;
        foreach (var hn in cluster.HandoffNodes)
        {
            try
            {
                var info = HandoffMapper.ToNodeInfo(hn, cluster.NodeOf(hn), LiveCluster.IsReady(hn));
                _infos[hn.Metadata.Name] = info with { Unschedulable = info.Unschedulable || cluster.NodeOf(hn)?.Spec?.Unschedulable == true };
            }
            catch (ManifestValidationException e)
            {
                _invalid[hn.Metadata.Name] = e.Message;
            }
        }

        Nodes = new NodeSet(_infos.Values);
        var tracker = new SimpleResourceTracker();
        foreach (var info in _infos.Values)
        {
            tracker.SetNode(info.Name, info.Capacity);
            var hn = cluster.HandoffNodes.First(n => n.Metadata.Name == info.Name);
            var held = LiveCluster.Resources(hn.Status?.Allocated).Add(LiveCluster.Resources(hn.Status?.External));
            if (!held.IsZero)
            {
                tracker.Adopt(info.Name, held, "held:" + info.Name);
            }
        }

        Capacity = tracker;
    }

    /// <summary>The nodes the operator can place on (valid HandoffNodes).</summary>
    public NodeSet Nodes { get; }

    /// <summary>Capacity and availability per node, as the operator last reported them.</summary>
    public ICapacityQuery Capacity { get; }

    /// <summary>
    /// One row per HandoffNode for <paramref name="request"/>. <paramref name="tolerations"/> and (for plain pods)
    /// <paramref name="podAffinity"/> are checked against the Kubernetes Node; <paramref name="holding"/> is the node
    /// the subject already holds, if any.
    /// </summary>
    public IReadOnlyList<NodeRow> For(PlacementRequest request, IReadOnlyCollection<Toleration> tolerations, RequiredNodeAffinity? podAffinity, string? holding)
    {
        var rows = new List<NodeRow>();
        foreach (var hn in _cluster.HandoffNodes)
        {
            var name = hn.Metadata.Name;
            if (!_infos.TryGetValue(name, out var node))
            {
                rows.Add(new NodeRow(name, "invalid: " + _invalid[name], false));
                continue;
            }

            var k8sNode = _cluster.NodeOf(hn);
            Capacity.TryGetCapacity(name, out var total, out var available);
            var holds = holding == name;
            var cells = request.Cost.Select(kv => new ResourceCell(kv.Key, kv.Value, holds ? available[kv.Key] + kv.Value : available[kv.Key], total[kv.Key])).ToList();
            var selector = request.NodeSelector is { Count: > 0 }
                ? NodeEligibility.MatchesConstraints(new PlacementRequest(request.Id, ResourceList.Empty) { NodeSelector = request.NodeSelector }, node)
                : podAffinity is { } affinity && (affinity.NodeSelector.Count > 0 || affinity.Required is not null)
                    ? k8sNode is not null && affinity.Matches(KubernetesMapper.LabeledNodeOf(k8sNode))
                    : (bool?)null;
            var pinned = request.Node ?? request.CollocateNode;
            var pin = pinned is null && request.CollocateWith is null ? (bool?)null
                : NodeEligibility.MatchesConstraints(new PlacementRequest(request.Id, ResourceList.Empty) { Node = request.Node, CollocateWith = request.CollocateWith, CollocateNode = request.CollocateNode }, node)
                    && (request.CollocateWith is null || request.CollocateNode is not null);
            var taint = TaintToleration.FindUntoleratedForScheduling(KubernetesMapper.TaintsOf(k8sNode), tolerations);
            rows.Add(new NodeRow(name, Verdict(request, node, podAffinity, k8sNode, taint, holds, total, available), !holds && Fits(request, node, podAffinity, k8sNode, taint, available))
            {
                Cordoned = node.Unschedulable,
                Ready = node.Ready,
                SelectorMatches = selector,
                PinMatches = pin,
                UntoleratedTaint = taint,
                Resources = cells,
                Holds = holds,
            });
        }

        return rows;
    }

    private bool Fits(PlacementRequest request, NodeInfo node, RequiredNodeAffinity? podAffinity, V1Node? k8sNode, Taint? taint, ResourceList available) =>
        NodeEligibility.RejectionOf(request, node, Capacity) is null && taint is null && AffinityMatches(podAffinity, k8sNode)
        && request.Cost.FitsIn(available) && (request.CollocateWith is null || request.CollocateNode is not null);

    /// <summary>The first reason the node is not taken, in kube-scheduler's filter order, or that it fits.</summary>
    private string Verdict(PlacementRequest request, NodeInfo node, RequiredNodeAffinity? podAffinity, V1Node? k8sNode, Taint? taint, bool holds, ResourceList total, ResourceList available)
    {
        if (holds)
        {
            return "holds it (runs here)";
        }

        if (request.CollocateWith is not null && request.CollocateNode is null)
        {
            return $"waits: {Handoff.Core.Lifecycle.Messages.WaitingForCollocation(request.CollocateWith)}";
        }

        if (NodeEligibility.RejectionOf(request, node, Capacity) is { } reason)
        {
            return new NodeRejection(node.Name, reason, [], false).ReasonStrings(request).First();
        }

        if (!AffinityMatches(podAffinity, k8sNode))
        {
            return RequiredNodeAffinity.MismatchReason;
        }

        if (taint is not null)
        {
            return TaintToleration.Reason(taint);
        }

        var insufficient = request.Cost.InsufficientIn(available);
        if (insufficient.Count > 0)
        {
            return string.Join(", ", insufficient.Select(r => "Insufficient " + r)) + (request.Cost.FitsIn(total) ? "" : " (more than its total capacity)");
        }

        return "fits now";
    }

    private static bool AffinityMatches(RequiredNodeAffinity? affinity, V1Node? k8sNode) =>
        affinity is null || (k8sNode is not null && affinity.Matches(KubernetesMapper.LabeledNodeOf(k8sNode)));
}
