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
public sealed class NodeView
{
    private readonly Dictionary<string, string> _byKubernetesNode;
    private readonly Dictionary<string, int> _indexByName;

    public NodeView(IReadOnlyList<HandoffNodeState> states, NodeSet nodes)
        : this(
            states,
            nodes,
            states.Where(s => s.Info is not null).ToDictionary(s => s.KubernetesNode, s => s.Name, StringComparer.Ordinal),
            IndexByName(states))
    {
    }

    // The indexes are of names and claims alone, so a view of the same names and claims shares them.
    private NodeView(IReadOnlyList<HandoffNodeState> states, NodeSet nodes, Dictionary<string, string> byKubernetesNode, Dictionary<string, int> indexByName)
    {
        (States, Nodes, _byKubernetesNode, _indexByName) = (states, nodes, byKubernetesNode, indexByName);
    }

    /// <summary>Every HandoffNode's state, in the snapshot's order (by name).</summary>
    public IReadOnlyList<HandoffNodeState> States { get; }

    /// <summary>What may be scheduled on: the usable nodes' facts and capacity.</summary>
    public NodeSet Nodes { get; }

    /// <summary>
    /// Whether this view was made from <paramref name="other"/> with the same names, claims and usable nodes (it shares
    /// their indexes): each HandoffNode resolves as it did there.
    /// </summary>
    internal bool ResolvesAs(NodeView? other) =>
        other is not null && ReferenceEquals(Nodes, other.Nodes) && ReferenceEquals(_indexByName, other._indexByName) &&
        ReferenceEquals(_byKubernetesNode, other._byKubernetesNode);

    /// <summary>The HandoffNode in use for a Kubernetes Node, or null.</summary>
    public string? HandoffNodeOf(string kubernetesNode) => _byKubernetesNode.GetValueOrDefault(kubernetesNode);

    /// <summary>The state of a HandoffNode by name, or null.</summary>
    public HandoffNodeState? Find(string name) => _indexByName.TryGetValue(name, out var i) ? States[i] : null;

    /// <summary>The index in <see cref="States"/> of a HandoffNode by name, or -1.</summary>
    internal int IndexOf(string name) => _indexByName.TryGetValue(name, out var i) ? i : -1;

    /// <summary>
    /// Builds the view. <paramref name="parse"/> converts a HandoffNode that is not a duplicate, with its Node (the
    /// term's cache passes a memoized <see cref="HandoffMapper.ToNodeInfo"/>). <paramref name="kept"/> (the term's) gives
    /// back the last state of a HandoffNode seen again as the same object with a Node of the same facts: a state is made of
    /// nothing else, so only the nodes that changed are made again; and while the same names claim the same Nodes, the last
    /// view's indexes are used again too (<see cref="Update"/>).
    /// </summary>
    public static NodeView Build(ClusterSnapshot snapshot, Func<HandoffNode, V1Node?, bool, NodeInfo> parse, NodeStates? kept = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(parse);
        var view = (kept?.Last is { } last ? Update(last, snapshot, parse, kept) : null) ?? Make(snapshot, parse, kept);
        kept?.KeepView(snapshot, view);
        return view;
    }

    private static NodeView Make(ClusterSnapshot snapshot, Func<HandoffNode, V1Node?, bool, NodeInfo> parse, NodeStates? kept)
    {
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

            states.Add(ClaimantState(hn, kubernetesNode, snapshot.Nodes.GetValueOrDefault(kubernetesNode), parse, kept));
        }

        return Of(states);
    }

    /// <summary>
    /// The view of <paramref name="snapshot"/> made from the last one, or null when that cannot be: every HandoffNode must
    /// be the same object or one of the same name claiming the same Node at the same age — then every claim is decided as
    /// before (claims are made of names, Nodes named and ages alone) and only the HandoffNodes replaced (most often by
    /// their own status writes) or whose Node was replaced are looked at again; a state is made again only when its Node's
    /// facts changed too (<see cref="NodeStates.Find"/>). Where the usable nodes' facts are the same objects, the usable
    /// nodes and every index are the last view's.
    /// </summary>
    private static NodeView? Update(NodeStates.KeptView last, ClusterSnapshot snapshot, Func<HandoffNode, V1Node?, bool, NodeInfo> parse, NodeStates kept)
    {
        var (was, now) = (last.HandoffNodes, snapshot.HandoffNodes);
        var sameNodes = ReferenceEquals(last.Nodes, snapshot.Nodes);
        if (was.Count != now.Count)
        {
            return null;
        }

        if (sameNodes && ReferenceEquals(was, now))
        {
            return last.View;
        }

        // Which Nodes were replaced since the last view, where the cache knows (a kubelet's status report replaces one
        // every 5 minutes even unchanged): a HandoffNode that is the same object, claiming another Node, is as it was.
        var changedNodes = !sameNodes && snapshot.NodeChanges is { } changes && ReferenceEquals(changes.Since, last.Nodes) ? changes.Names : null;
        var states = new HandoffNodeState[now.Count];
        var sameFacts = true;
        for (var i = 0; i < now.Count; i++)
        {
            var (before, hn, state) = (was[i], now[i], last.View.States[i]);
            var sameObject = ReferenceEquals(before, hn);
            if (sameObject && (sameNodes || (changedNodes is not null && !changedNodes.Contains(state.KubernetesNode))))
            {
                states[i] = state;
                continue;
            }

            var kubernetesNode = sameObject ? state.KubernetesNode : HandoffMapper.KubernetesNodeName(hn);
            if (!sameObject && (before.Metadata.Name != hn.Metadata.Name || kubernetesNode != state.KubernetesNode ||
                before.Metadata.CreationTimestamp != hn.Metadata.CreationTimestamp))
            {
                return null;
            }

            if (state.ReadyReason == Reasons.DuplicateNode)
            {
                // Still claimed by the same older HandoffNode: the same report of it, whatever its Node.
                states[i] = sameObject ? state : state with { Object = hn };
                continue;
            }

            var made = ClaimantState(hn, kubernetesNode, snapshot.Nodes.GetValueOrDefault(kubernetesNode), parse, kept);
            sameFacts &= ReferenceEquals(made.Info, state.Info);
            states[i] = made;
        }

        return sameFacts ? new NodeView(states, last.View.Nodes, last.View._byKubernetesNode, last.View._indexByName) : Of(states);
    }

    /// <summary>A view of <paramref name="states"/> with its usable nodes and indexes made anew.</summary>
    private static NodeView Of(IReadOnlyList<HandoffNodeState> states) =>
        new(states, new NodeSet(states.Where(s => s.Info is not null).Select(s => s.Info!)));

    /// <summary>
    /// The state of a HandoffNode that claims its Node: the kept one while its object and its Node's facts are the same,
    /// else made anew; kept with the Node object it was seen with now.
    /// </summary>
    private static HandoffNodeState ClaimantState(
        HandoffNode hn, string kubernetesNode, V1Node? node, Func<HandoffNode, V1Node?, bool, NodeInfo> parse, NodeStates? kept)
    {
        var state = kept?.Find(hn, node) ?? StateOf(hn, kubernetesNode, node, parse);
        kept?.Keep(state, node);
        return state;
    }

    private static Dictionary<string, int> IndexByName(IReadOnlyList<HandoffNodeState> states)
    {
        var index = new Dictionary<string, int>(states.Count, StringComparer.Ordinal);
        for (var i = 0; i < states.Count; i++)
        {
            index[states[i].Name] = i;
        }

        return index;
    }

    private static HandoffNodeState StateOf(HandoffNode hn, string kubernetesNode, V1Node? node, Func<HandoffNode, V1Node?, bool, NodeInfo> parse)
    {
        var (ready, reason, message) = Readiness(kubernetesNode, node);

        // The message the HandoffNode's status shows already, when it is this one: one string a node, not one per version
        // of its state and of its report as well (three at 5,000 nodes).
        if (hn.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Message is { } shown && shown == message)
        {
            message = shown;
        }

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
