using Handoff.Core.Allocation.Indexing;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Allocation;

/// <summary>
/// Shared eligibility rules and rejection reporting for the allocators. A node is eligible when it is not
/// cordoned, is Ready, is the pinned <see cref="PlacementRequest.Node"/> (if any), is the
/// <see cref="PlacementRequest.CollocateNode"/> (if any), matches the node selector, and is registered in the
/// tracker. Subclasses only choose among the eligible nodes that fit.
/// </summary>
public abstract class AllocatorBase : IAllocator
{
    public abstract AllocationStrategy Strategy { get; }

    public AllocationDecision Allocate(PlacementRequest request, NodeSet nodes, IResourceTrackerView tracker)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(tracker);
        if (request.CollocateWith is not null && request.CollocateNode is null)
        {
            return AllocationDecision.WaitForCollocation(request);
        }

        var chosen = tracker is IndexedResourceTracker indexed && request.Node is null && request.CollocateNode is null
            && TryChooseIndexed(request, nodes, indexed, out var fromIndex)
            ? fromIndex
            : Choose(request, Candidates(request, nodes), tracker);
        return chosen is not null ? AllocationDecision.Chosen(chosen) : Explain(request, nodes, tracker);
    }

    /// <summary>
    /// Picks one of <paramref name="eligible"/> (ordinal name order, all filters but resources passed) whose
    /// available capacity fits the cost, or null.
    /// </summary>
    protected abstract string? Choose(PlacementRequest request, IEnumerable<NodeInfo> eligible, IResourceTrackerView tracker);

    /// <summary>
    /// The same choice as <see cref="Choose"/>, made from an <see cref="IndexedResourceTracker"/>'s index for a
    /// request not pinned to a node. Returns false when this allocator has no indexed path (then <see cref="Choose"/> runs).
    /// </summary>
    internal virtual bool TryChooseIndexed(PlacementRequest request, NodeSet nodes, IndexedResourceTracker tracker, out string? chosen)
    {
        chosen = null;
        return false;
    }

    /// <summary>Whether <paramref name="node"/> passes every filter except capacity.</summary>
    public static bool IsEligible(PlacementRequest request, NodeInfo node) =>
        !node.Unschedulable && node.Ready && MatchesConstraints(request, node);

    /// <summary>Whether <paramref name="node"/> passes the function's own constraints: pinned node, collocation node, node selector.</summary>
    public static bool MatchesConstraints(PlacementRequest request, NodeInfo node) =>
        (request.Node is null || string.Equals(request.Node, node.Name, StringComparison.Ordinal))
        && (request.CollocateNode is null || string.Equals(request.CollocateNode, node.Name, StringComparison.Ordinal))
        && MatchesSelector(request.NodeSelector, node);

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

    private static IEnumerable<NodeInfo> Candidates(PlacementRequest request, NodeSet nodes)
    {
        var pinned = request.Node ?? request.CollocateNode;
        if (pinned is not null)
        {
            var node = nodes.Find(pinned);
            return node is not null && IsEligible(request, node) ? [node] : [];
        }

        return nodes.Where(n => IsEligible(request, n));
    }

    private static AllocationDecision Explain(PlacementRequest request, NodeSet nodes, IResourceTrackerView tracker)
    {
        var rejections = new List<NodeRejection>(nodes.Count);
        var anyMatches = false;
        var canEverFit = false;
        foreach (var node in nodes)
        {
            var tracked = tracker.TryGetCapacity(node.Name, out var capacity, out var available);
            var matches = MatchesConstraints(request, node);
            var exceeds = !tracked || !request.Cost.FitsIn(capacity);
            if (matches)
            {
                anyMatches = true;
                canEverFit |= !exceeds;
            }

            NodeRejectionReason? reason = node.Unschedulable ? NodeRejectionReason.Unschedulable
                : request.Node is not null && !string.Equals(request.Node, node.Name, StringComparison.Ordinal) ? NodeRejectionReason.NodeNameMismatch
                : request.CollocateNode is not null && !string.Equals(request.CollocateNode, node.Name, StringComparison.Ordinal) ? NodeRejectionReason.CollocationMismatch
                : !node.Ready ? NodeRejectionReason.NotReady
                : !MatchesSelector(request.NodeSelector, node) ? NodeRejectionReason.NodeSelectorMismatch
                : !tracked ? NodeRejectionReason.NotTracked
                : null;
            if (reason is not null)
            {
                rejections.Add(new NodeRejection(node.Name, reason.Value, [], exceeds));
                continue;
            }

            var insufficient = request.Cost.InsufficientIn(available);
            if (insufficient.Count > 0)
            {
                rejections.Add(new NodeRejection(node.Name, NodeRejectionReason.InsufficientResources, insufficient, exceeds));
            }

            // else: the node fits now (capacity was released concurrently since Choose ran); it is not a rejection.
        }

        return AllocationDecision.Rejected(request, nodes.Count, rejections, unschedulable: !canEverFit, anyNodeMatchesConstraints: anyMatches);
    }

    /// <summary>
    /// The fraction of a node left free after placing <paramref name="cost"/>: the minimum over the cost's
    /// resources (those with a positive amount) of (available − cost) / capacity. A cost with no positive amount
    /// is scored over all of the node's resources with a positive capacity; a node with none scores 1.
    /// </summary>
    public static Fraction FreeFractionAfter(ResourceList cost, ResourceList capacity, ResourceList available)
    {
        Fraction? min = null;
        foreach (var (name, amount) in cost)
        {
            if (amount <= 0)
            {
                continue;
            }

            var f = new Fraction(available[name] - amount, Math.Max(1, capacity[name]));
            if (min is null || f.CompareTo(min.Value) < 0)
            {
                min = f;
            }
        }

        if (min is not null)
        {
            return min.Value;
        }

        foreach (var (name, cap) in capacity)
        {
            if (cap <= 0)
            {
                continue;
            }

            var f = new Fraction(available[name], cap);
            if (min is null || f.CompareTo(min.Value) < 0)
            {
                min = f;
            }
        }

        return min ?? new Fraction(1, 1);
    }
}

/// <summary>An exact fraction with a positive denominator, compared without rounding.</summary>
public readonly record struct Fraction(long Numerator, long Denominator) : IComparable<Fraction>
{
    public int CompareTo(Fraction other) =>
        ((Int128)Numerator * other.Denominator).CompareTo((Int128)other.Numerator * Denominator);

    public static bool operator <(Fraction left, Fraction right) => left.CompareTo(right) < 0;

    public static bool operator >(Fraction left, Fraction right) => left.CompareTo(right) > 0;

    public static bool operator <=(Fraction left, Fraction right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Fraction left, Fraction right) => left.CompareTo(right) >= 0;

    public double ToDouble() => (double)Numerator / Denominator;
}

/// <summary>
/// The default strategy (the Elixir <c>SimpleAllocator</c>): the first eligible node, in ordinal name order, with
/// enough of every resource available now.
/// </summary>
public sealed class FirstAvailableAllocator : AllocatorBase
{
    public override AllocationStrategy Strategy => AllocationStrategy.FirstAvailable;

    protected override string? Choose(PlacementRequest request, IEnumerable<NodeInfo> eligible, IResourceTrackerView tracker)
    {
        foreach (var node in eligible)
        {
            if (tracker.TryGetCapacity(node.Name, out _, out var available) && request.Cost.FitsIn(available))
            {
                return node.Name;
            }
        }

        return null;
    }

    internal override bool TryChooseIndexed(PlacementRequest request, NodeSet nodes, IndexedResourceTracker tracker, out string? chosen)
    {
        chosen = tracker.FirstAvailable(request, nodes);
        return true;
    }
}

/// <summary>
/// Chooses among the eligible nodes that fit by <see cref="AllocatorBase.FreeFractionAfter"/>; ties go to the
/// first in ordinal name order.
/// </summary>
public abstract class ScoringAllocator : AllocatorBase
{
    /// <summary>True when <paramref name="candidate"/> should replace <paramref name="best"/>.</summary>
    protected abstract bool IsBetter(Fraction candidate, Fraction best);

    internal bool Prefers(Fraction candidate, Fraction best) => IsBetter(candidate, best);

    /// <summary>+1 when <see cref="IsBetter"/> is "greater", -1 when "less", 0 when unknown (the index then asks <see cref="IsBetter"/>).</summary>
    internal virtual int PreferenceSign => 0;

    internal override bool TryChooseIndexed(PlacementRequest request, NodeSet nodes, IndexedResourceTracker tracker, out string? chosen)
    {
        chosen = tracker.BestScored(request, nodes, this);
        return true;
    }

    protected override string? Choose(PlacementRequest request, IEnumerable<NodeInfo> eligible, IResourceTrackerView tracker)
    {
        string? bestNode = null;
        var best = default(Fraction);
        foreach (var node in eligible)
        {
            if (!tracker.TryGetCapacity(node.Name, out var capacity, out var available) || !request.Cost.FitsIn(available))
            {
                continue;
            }

            var score = FreeFractionAfter(request.Cost, capacity, available);
            if (bestNode is null || IsBetter(score, best))
            {
                bestNode = node.Name;
                best = score;
            }
        }

        return bestNode;
    }
}

/// <summary>LoadBalanced: the eligible node that leaves the highest minimum free fraction across the function's resources.</summary>
public sealed class LoadBalancedAllocator : ScoringAllocator
{
    public override AllocationStrategy Strategy => AllocationStrategy.LoadBalanced;

    protected override bool IsBetter(Fraction candidate, Fraction best) => candidate > best;

    internal override int PreferenceSign => 1;
}

/// <summary>BestFit (bin-packing): the eligible node that leaves the lowest minimum free fraction across the function's resources.</summary>
public sealed class BestFitAllocator : ScoringAllocator
{
    public override AllocationStrategy Strategy => AllocationStrategy.BestFit;

    protected override bool IsBetter(Fraction candidate, Fraction best) => candidate < best;

    internal override int PreferenceSign => -1;
}
