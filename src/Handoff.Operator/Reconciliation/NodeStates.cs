using Handoff.Api.V1Alpha1;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The last state of each HandoffNode in use (<see cref="NodeView.Build"/>), with the Kubernetes Node object it was made
/// from. A state is made of the HandoffNode's object and its Node's facts alone (the informers store a new object for
/// every change), so while the HandoffNode is the one seen last and its Node has the same facts it is used again instead
/// of being made anew: most of a pass's 5,000 nodes are. Nothing here decides: without it the same states are made.
/// </summary>
public sealed class NodeStates
{
    private readonly Dictionary<string, (HandoffNodeState State, V1Node? Node)> _states = new(StringComparer.Ordinal);

    /// <summary>The last view, with the listings it was made of.</summary>
    public sealed record KeptView(IReadOnlyList<HandoffNode> HandoffNodes, IReadOnlyDictionary<string, V1Node> Nodes, NodeView View);

    /// <summary>The last view made (<see cref="NodeView.Build"/> makes the next one from it), or null.</summary>
    public KeptView? Last { get; private set; }

    /// <summary>Nodes whose state is kept (for tests).</summary>
    internal int Count => _states.Count;

    /// <summary>
    /// The state last made of this very HandoffNode object with a Node of the same facts (<see cref="NodeFacts.Same"/>: a
    /// Node's periodic status report changes none), or null.
    /// </summary>
    public HandoffNodeState? Find(HandoffNode handoffNode, V1Node? node)
    {
        ArgumentNullException.ThrowIfNull(handoffNode);
        return _states.TryGetValue(handoffNode.Metadata.Name, out var kept) && ReferenceEquals(kept.State.Object, handoffNode) && NodeFacts.Same(kept.Node, node)
            ? kept.State
            : null;
    }

    /// <summary>Keeps <paramref name="state"/>, made with <paramref name="node"/>.</summary>
    public void Keep(HandoffNodeState state, V1Node? node)
    {
        ArgumentNullException.ThrowIfNull(state);
        _states[state.Name] = (state, node);
    }

    /// <summary>Keeps <paramref name="view"/>, made of <paramref name="snapshot"/>'s HandoffNodes and Nodes.</summary>
    public void KeepView(ClusterSnapshot snapshot, NodeView view)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Last = new KeptView(snapshot.HandoffNodes, snapshot.Nodes, view);
    }

    /// <summary>Drops every state (the idle trim: the next pass makes every node's state once).</summary>
    public void Forget()
    {
        Last = null;
        _states.Clear();
        _states.TrimExcess();
    }

    /// <summary>Drops the states of HandoffNodes not in <paramref name="present"/>, once there are more kept than present.</summary>
    public void Forget(SeenKeys present)
    {
        ArgumentNullException.ThrowIfNull(present);
        present.PruneOnceLarger(_states);
    }
}
