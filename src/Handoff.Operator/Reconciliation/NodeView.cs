using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 2 of a pass (pure): HandoffNodes and Kubernetes Nodes → what may be scheduled on. One Node, one HandoffNode:
/// when several HandoffNodes name the same Kubernetes Node, the oldest (then the first by name) is used and the others
/// are reported <c>Ready=False</c> with reason <c>DuplicateNode</c> — counting one Node's capacity twice would
/// over-commit it. A HandoffNode is Ready when its Node exists and is Ready; a cordoned HandoffNode or Node is
/// unschedulable.
/// </summary>
public sealed record NodeView(IReadOnlyList<HandoffNodeState> States, NodeSet Nodes)
{
    private readonly Dictionary<string, string> _byKubernetesNode = States
        .Where(s => s.Info is not null).ToDictionary(s => s.KubernetesNode, s => s.Name, StringComparer.Ordinal);

    private readonly Dictionary<string, HandoffNodeState> _byName = States.ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>The HandoffNode in use for a Kubernetes Node, or null.</summary>
    public string? HandoffNodeOf(string kubernetesNode) => _byKubernetesNode.GetValueOrDefault(kubernetesNode);

    /// <summary>The state of a HandoffNode by name, or null.</summary>
    public HandoffNodeState? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Builds the view. <paramref name="parse"/> converts a HandoffNode that is not a duplicate, with its Node (the
    /// term's cache passes a memoized <see cref="HandoffMapper.ToNodeInfo"/>). <paramref name="kept"/> (the term's) gives
    /// back the last state of a HandoffNode seen again as the same object with the same Node object: a state is made of
    /// nothing else, so only the nodes that changed are made again.
    /// </summary>
    public static NodeView Build(ClusterSnapshot snapshot, Func<HandoffNode, V1Node?, bool, NodeInfo> parse, NodeStates? kept = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(parse);
        // Each Kubernetes node is claimed by its oldest HandoffNode (then the first by name): one walk, as this runs for
        // every node on every pass.
        var claimedBy = new Dictionary<string, HandoffNode>(snapshot.HandoffNodes.Count, StringComparer.Ordinal);
        foreach (var hn in snapshot.HandoffNodes)
        {
            var kubernetesNode = HandoffMapper.KubernetesNodeName(hn);
            if (!claimedBy.TryGetValue(kubernetesNode, out var claimant) || ClaimsBefore(hn, claimant))
            {
                claimedBy[kubernetesNode] = hn;
            }
        }

        var states = new List<HandoffNodeState>(snapshot.HandoffNodes.Count);
        foreach (var hn in snapshot.HandoffNodes)
        {
            var kubernetesNode = HandoffMapper.KubernetesNodeName(hn);
            var winner = claimedBy[kubernetesNode].Metadata.Name;
            if (winner != hn.Metadata.Name)
            {
                states.Add(new HandoffNodeState(hn, kubernetesNode)
                {
                    ReadyReason = Reasons.DuplicateNode,
                    ReadyMessage = $"Kubernetes node {kubernetesNode} is already claimed by HandoffNode {winner} (the older one); this one is not used",
                });
                continue;
            }

            var node = snapshot.Nodes.GetValueOrDefault(kubernetesNode);
            if (kept?.Find(hn, node) is { } same)
            {
                states.Add(same);
                continue;
            }

            var state = StateOf(hn, kubernetesNode, node, parse);
            kept?.Keep(state, node);
            states.Add(state);
        }

        return new NodeView(states, new NodeSet(states.Where(s => s.Info is not null).Select(s => s.Info!)));
    }

    private static HandoffNodeState StateOf(HandoffNode hn, string kubernetesNode, V1Node? node, Func<HandoffNode, V1Node?, bool, NodeInfo> parse)
    {
        var (ready, reason, message) = Readiness(kubernetesNode, node);
        try
        {
            return new HandoffNodeState(hn, kubernetesNode)
            {
                Info = parse(hn, node, ready),
                Ready = ready,
                ReadyReason = reason,
                ReadyMessage = message,
            };
        }
        catch (ManifestValidationException ex)
        {
            return new HandoffNodeState(hn, kubernetesNode) { ReadyReason = Reasons.InvalidSpec, ReadyMessage = ex.Message };
        }
    }

    private static bool ClaimsBefore(HandoffNode a, HandoffNode b)
    {
        var byAge = (a.Metadata.CreationTimestamp ?? DateTime.MinValue).CompareTo(b.Metadata.CreationTimestamp ?? DateTime.MinValue);
        return byAge < 0 || (byAge == 0 && string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name) < 0);
    }

    private static (bool Ready, string Reason, string Message) Readiness(string name, V1Node? node)
    {
        if (node is null)
        {
            return (false, Reasons.NodeNotFound, $"Kubernetes node {name} does not exist");
        }

        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        return ready?.Status == "True"
            ? (true, Reasons.NodeReady, $"Kubernetes node {name} is Ready")
            : (false, Reasons.NodeNotReady, $"Kubernetes node {name} is not Ready" + (ready?.Message is { Length: > 0 } m ? ": " + m : ""));
    }
}
