using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Allocation;

/// <summary>
/// What every strategy shares: eligibility (<see cref="NodeEligibility"/>), pinned and collocated requests (one
/// candidate), and the explanation when no node fits. Strategies only say how to choose among the eligible nodes that
/// fit, by asking the tracker's <see cref="ICapacityQuery"/>.
/// </summary>
public abstract class AllocatorBase : IAllocator
{
    public abstract AllocationStrategy Strategy { get; }

    public AllocationDecision Allocate(PlacementRequest request, NodeSet nodes, ICapacityQuery capacity)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(capacity);
        if (request.CollocateWith is not null && request.CollocateNode is null)
        {
            return AllocationDecision.WaitForCollocation(request);
        }

        bool Eligible(NodeInfo node) => NodeEligibility.IsEligible(request, node) && NodeEligibility.HasPodSlot(node, capacity);
        string? chosen;
        if ((request.Node ?? request.CollocateNode) is { } pinned)
        {
            chosen = nodes.Find(pinned) is { } node && Eligible(node) && capacity.TryGetCapacity(pinned, out _, out var available)
                && request.Cost.FitsIn(available) ? pinned : null;
        }
        else
        {
            chosen = Choose(request.Cost, nodes, Eligible, capacity);
        }

        return chosen is not null ? AllocationDecision.Chosen(chosen) : Explain(request, nodes, capacity);
    }

    /// <summary>One of the nodes that <paramref name="eligible"/> accepts and whose available capacity fits, or null.</summary>
    protected abstract string? Choose(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, ICapacityQuery capacity);

    private static AllocationDecision Explain(PlacementRequest request, NodeSet nodes, ICapacityQuery capacity)
    {
        var rejections = new List<NodeRejection>(nodes.Count);
        var anyMatches = false;
        var canEverFit = false;
        foreach (var node in nodes)
        {
            var tracked = capacity.TryGetCapacity(node.Name, out var total, out var available);
            var matches = NodeEligibility.MatchesConstraints(request, node);
            var exceeds = !tracked || !request.Cost.FitsIn(total);
            if (matches)
            {
                anyMatches = true;
                canEverFit |= !exceeds;
            }

            if (NodeEligibility.RejectionOf(request, node, capacity) is { } reason)
            {
                rejections.Add(new NodeRejection(node.Name, reason, [], exceeds)
                {
                    Taint = reason == NodeRejectionReason.UntoleratedTaint ? NodeEligibility.UntoleratedTaint(request, node) : null,
                });
                continue;
            }

            var insufficient = request.Cost.InsufficientIn(available);
            if (insufficient.Count > 0)
            {
                rejections.Add(new NodeRejection(node.Name, NodeRejectionReason.InsufficientResources, insufficient, exceeds));
            }

            // else: the node fits now (capacity was released concurrently since the choice was made); it is not a rejection.
        }

        return AllocationDecision.Rejected(request, nodes.Count, rejections, unschedulable: !canEverFit, anyNodeMatchesConstraints: anyMatches);
    }
}

/// <summary>
/// The default strategy (the Elixir <c>SimpleAllocator</c>): the first eligible node, in ordinal name order, with
/// enough of every resource available now.
/// </summary>
public sealed class FirstAvailableAllocator : AllocatorBase
{
    public override AllocationStrategy Strategy => AllocationStrategy.FirstAvailable;

    protected override string? Choose(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, ICapacityQuery capacity) =>
        capacity.FirstFit(cost, nodes, eligible);
}

/// <summary>LoadBalanced: the eligible node that leaves the highest minimum free fraction across the function's resources.</summary>
public sealed class LoadBalancedAllocator : AllocatorBase
{
    public override AllocationStrategy Strategy => AllocationStrategy.LoadBalanced;

    protected override string? Choose(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, ICapacityQuery capacity) =>
        capacity.BestFit(cost, nodes, eligible, FreeFractionPreference.Highest);
}

/// <summary>BestFit (bin-packing): the eligible node that leaves the lowest minimum free fraction across the function's resources.</summary>
public sealed class BestFitAllocator : AllocatorBase
{
    public override AllocationStrategy Strategy => AllocationStrategy.BestFit;

    protected override string? Choose(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, ICapacityQuery capacity) =>
        capacity.BestFit(cost, nodes, eligible, FreeFractionPreference.Lowest);
}
