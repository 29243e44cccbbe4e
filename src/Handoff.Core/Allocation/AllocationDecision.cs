using System.Globalization;
using Handoff.Core.Tracking;

namespace Handoff.Core.Allocation;

/// <summary>Why one node was not chosen.</summary>
public enum NodeRejectionReason
{
    /// <summary>The node is cordoned.</summary>
    Unschedulable,

    /// <summary>The function is pinned to another node.</summary>
    NodeNameMismatch,

    /// <summary>The function must run on the node of its <c>collocateWith</c> function, which is another node.</summary>
    CollocationMismatch,

    /// <summary>The node is not Ready.</summary>
    NotReady,

    /// <summary>The node's labels do not match the function's node selector.</summary>
    NodeSelectorMismatch,

    /// <summary>The Kubernetes Node does not match the pod's own nodeSelector or required node affinity.</summary>
    NodeAffinityMismatch,

    /// <summary>The node has a NoSchedule/NoExecute taint the pod does not tolerate (see <see cref="NodeRejection.Taint"/>).</summary>
    UntoleratedTaint,

    /// <summary>The node is not registered in the tracker.</summary>
    NotTracked,

    /// <summary>The node counts pods (its capacity comes from the Kubernetes Node) and has no pod slot left.</summary>
    TooManyPods,

    /// <summary>Not enough of one or more resources available now (see <see cref="NodeRejection.InsufficientResources"/>).</summary>
    InsufficientResources,
}

/// <summary>
/// One node's rejection. <see cref="InsufficientResources"/> lists the resources short (ordinal order) when
/// <see cref="Reason"/> is <see cref="NodeRejectionReason.InsufficientResources"/>; <see cref="ExceedsCapacity"/>
/// is true when the cost exceeds the node's total capacity (it can never fit there).
/// </summary>
public sealed record NodeRejection(string Node, NodeRejectionReason Reason, IReadOnlyList<string> InsufficientResources, bool ExceedsCapacity)
{
    /// <summary>The untolerated taint, for <see cref="NodeRejectionReason.UntoleratedTaint"/>.</summary>
    public Nodes.Taint? Taint { get; init; }

    /// <summary>The kube-scheduler-style reason strings this rejection counts towards (one per insufficient resource).</summary>
    public IEnumerable<string> ReasonStrings(PlacementRequest request) => Reason switch
    {
        NodeRejectionReason.Unschedulable => ["node(s) were unschedulable"],
        NodeRejectionReason.NodeNameMismatch => ["node(s) didn't match the requested node name"],
        NodeRejectionReason.CollocationMismatch => [$"node(s) didn't match the node of collocateWith function {ObjectKeys.NameOf(request.CollocateWith ?? "")}"],
        NodeRejectionReason.NotReady => ["node(s) were not ready"],
        NodeRejectionReason.NodeSelectorMismatch => [$"node(s) didn't match {request.Subject}'s node selector"],
        NodeRejectionReason.NodeAffinityMismatch => [Nodes.RequiredNodeAffinity.MismatchReason],
        NodeRejectionReason.UntoleratedTaint => [Taint is { } t ? Nodes.TaintToleration.Reason(t) : Nodes.TaintToleration.RedactedReason],
        NodeRejectionReason.NotTracked => ["node(s) had no tracked capacity"],
        NodeRejectionReason.TooManyPods => ["Too many pods"],
        NodeRejectionReason.InsufficientResources => InsufficientResources.Select(r => "Insufficient " + r),
        _ => [Reason.ToString()],
    };
}

/// <summary>
/// The outcome of one allocation attempt: the chosen <see cref="Node"/>, or why none was chosen.
/// </summary>
/// <remarks>
/// When no node is chosen, <see cref="Message"/> is in kube-scheduler's style: <c>0/N nodes are available:</c>
/// then "count reason" entries sorted as strings (as kube-scheduler sorts them), joined with <c>, </c>, then
/// <c>.</c>. A node short of several resources counts once for each. When the cost can never fit
/// (<see cref="Unschedulable"/>), a sentence saying so follows.
/// </remarks>
public sealed record AllocationDecision
{
    private readonly Func<string>? _messageFactory;
    private string? _message;

    private AllocationDecision(string? node, bool unschedulable, bool waitingForCollocation, IReadOnlyList<NodeRejection> rejections, string? message, Func<string>? messageFactory = null)
    {
        Node = node;
        Unschedulable = unschedulable;
        WaitingForCollocation = waitingForCollocation;
        Rejections = rejections;
        _message = message;
        _messageFactory = messageFactory;
    }

    /// <summary>The chosen node, or null.</summary>
    public string? Node { get; }

    /// <summary>True when a node was chosen.</summary>
    public bool Success => Node is not null;

    /// <summary>
    /// True when the cost exceeds the total capacity of every node that matches the function's own constraints
    /// (node selector, pinned node, collocation node) — including when no node matches them. Cordoned and
    /// not-Ready nodes still count here: those states change without the function changing. Such a function
    /// cannot run until nodes change; the operator reports reason <c>Unschedulable</c>, the planner phase <c>Unschedulable</c>.
    /// </summary>
    public bool Unschedulable { get; }

    /// <summary>True when the request has a <c>collocateWith</c> function that has not been placed yet.</summary>
    public bool WaitingForCollocation { get; }

    /// <summary>Per-node rejections (ordinal node order) when no node was chosen; empty on success.</summary>
    public IReadOnlyList<NodeRejection> Rejections { get; }

    /// <summary>Empty on success; otherwise a kube-scheduler-style summary (built on first use).</summary>
    public string Message => _message ??= _messageFactory!();

    /// <summary>A decision for <paramref name="node"/>.</summary>
    public static AllocationDecision Chosen(string node) => new(node, false, false, [], "");

    /// <summary>The request must wait for its collocateWith function to be placed.</summary>
    public static AllocationDecision WaitForCollocation(PlacementRequest request) =>
        new(null, false, true, [], Lifecycle.Messages.WaitingForCollocation(request.CollocateWith ?? ""));

    /// <summary>Builds the failed decision from per-node rejections; its message is built when first read.</summary>
    public static AllocationDecision Rejected(
        PlacementRequest request, int nodeCount, IReadOnlyList<NodeRejection> rejections, bool unschedulable, bool anyNodeMatchesConstraints) =>
        new(null, unschedulable, false, rejections, null, () => BuildMessage(request, nodeCount, rejections, unschedulable, anyNodeMatchesConstraints));

    private static string BuildMessage(
        PlacementRequest request, int nodeCount, IReadOnlyList<NodeRejection> rejections, bool unschedulable, bool anyNodeMatchesConstraints)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rejection in rejections)
        {
            foreach (var reason in rejection.ReasonStrings(request))
            {
                counts[reason] = counts.GetValueOrDefault(reason) + 1;
            }
        }

        var parts = counts.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Value} {kv.Key}")).Order(StringComparer.Ordinal).ToList();
        var message = string.Create(CultureInfo.InvariantCulture, $"0/{nodeCount} nodes are available");
        message += parts.Count > 0 ? ": " + string.Join(", ", parts) + "." : nodeCount == 0 ? ": there are no HandoffNodes." : ".";
        if (unschedulable)
        {
            var pinned = request.Node is not null ? $" (pinned to node {request.Node})" : "";
            message += anyNodeMatchesConstraints
                ? $" Unschedulable: the cost ({request.Cost}) exceeds the total capacity of every eligible node{pinned}."
                : $" Unschedulable: no node matches the {request.Subject.ToLowerInvariant()}'s constraints{pinned}.";
        }

        return message;
    }

    /// <summary>Decisions are equal when they choose the same node or fail the same way with the same message.</summary>
    public bool Equals(AllocationDecision? other) =>
        other is not null && Node == other.Node && Unschedulable == other.Unschedulable
        && WaitingForCollocation == other.WaitingForCollocation && Message == other.Message;

    public override int GetHashCode() => HashCode.Combine(Node, Unschedulable, WaitingForCollocation, Message);

    public override string ToString() => Success ? $"-> {Node}" : Message;
}

/// <summary>Chooses a node for a <see cref="PlacementRequest"/>. Allocators only decide; they never allocate in the tracker.</summary>
public interface IAllocator
{
    /// <summary>The strategy this allocator implements.</summary>
    AllocationStrategy Strategy { get; }

    /// <summary>
    /// Chooses an eligible node of <paramref name="nodes"/> whose currently available capacity (read from
    /// <paramref name="capacity"/>) fits the request's cost, or explains why there is none.
    /// </summary>
    AllocationDecision Allocate(PlacementRequest request, NodeSet nodes, ICapacityQuery capacity);
}
