using Handoff.Api.Mapping;
using Handoff.Cli.Cluster;
using Handoff.Core.Allocation;
using Handoff.Core.Nodes;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

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
    /// One row per HandoffNode for <paramref name="request"/> (its tolerations and node affinity included: Core's
    /// <see cref="NodeEligibility"/> decides every filter); <paramref name="holding"/> is the node the subject already
    /// holds, if any.
    /// </summary>
    public IReadOnlyList<NodeRow> For(PlacementRequest request, string? holding)
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

            Capacity.TryGetCapacity(name, out var total, out var available);
            var holds = holding == name;
            var cells = request.Cost.Select(kv => new ResourceCell(kv.Key, kv.Value, holds ? available[kv.Key] + kv.Value : available[kv.Key], total[kv.Key])).ToList();
            var selector = request.NodeSelector is { Count: > 0 } || request.Affinity is not null
                ? NodeEligibility.MatchesConstraints(new PlacementRequest(request.Id, ResourceList.Empty) { NodeSelector = request.NodeSelector, Affinity = request.Affinity }, node)
                : (bool?)null;
            var pinned = request.Node ?? request.CollocateNode;
            var pin = pinned is null && request.CollocateWith is null ? (bool?)null
                : NodeEligibility.MatchesConstraints(new PlacementRequest(request.Id, ResourceList.Empty) { Node = request.Node, CollocateWith = request.CollocateWith, CollocateNode = request.CollocateNode }, node)
                    && (request.CollocateWith is null || request.CollocateNode is not null);
            var taint = NodeEligibility.UntoleratedTaint(request, node);
            var rejection = NodeEligibility.RejectionOf(request, node, Capacity) is { } reason ? new NodeRejection(name, reason, [], false) { Taint = taint } : null;
            rows.Add(new NodeRow(name, Verdict(request, rejection, holds, total, available), !holds && rejection is null && Fits(request, available))
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

    private static bool Fits(PlacementRequest request, ResourceList available) =>
        request.Cost.FitsIn(available) && (request.CollocateWith is null || request.CollocateNode is not null);

    /// <summary>The first reason the node is not taken, in kube-scheduler's filter order, or that it fits.</summary>
    private static string Verdict(PlacementRequest request, NodeRejection? rejection, bool holds, ResourceList total, ResourceList available)
    {
        if (holds)
        {
            return "holds it (runs here)";
        }

        if (request.CollocateWith is not null && request.CollocateNode is null)
        {
            return $"waits: {Handoff.Core.Lifecycle.Messages.WaitingForCollocation(request.CollocateWith)}";
        }

        if (rejection is not null)
        {
            return rejection.ReasonStrings(request).First();
        }

        var insufficient = request.Cost.InsufficientIn(available);
        if (insufficient.Count > 0)
        {
            return string.Join(", ", insufficient.Select(r => "Insufficient " + r)) + (request.Cost.FitsIn(total) ? "" : " (more than its total capacity)");
        }

        return "fits now";
    }
}
