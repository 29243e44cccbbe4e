using Handoff.Core.Allocation;
using Handoff.Core.Resources;

namespace Handoff.Core.Tracking;

/// <summary>
/// A tentative view over capacity: allocations not made yet and reservations, seen by allocators as if they were held,
/// while the tracker itself is left untouched until <see cref="Commit"/> writes the allocations in one transaction
/// (<see cref="IResourceTracker.TryAllocateAll"/>). A gang's members are chosen nodes one after another on an overlay,
/// so each sees the ones before it, and nothing is held by anyone unless all of them fit. A reservation
/// (<see cref="Reserve"/>) is never committed: it keeps what a preemptor waits for from the workloads decided after it.
/// </summary>
/// <remarks>
/// The answers equal the underlying view's for the nodes the overlay did not change; for the few it changed, they are
/// computed from the overlaid availability and merged in the same order (name order; for scores, the preferred score
/// and then name order), so allocators decide on an overlay exactly as on a tracker holding the same. Overlays stack:
/// <paramref name="view"/> may be another overlay.
/// </remarks>
public sealed class CapacityOverlay(ICapacityQuery view, IResourceTracker tracker) : ICapacityQuery
{
    /// <summary>An overlay directly over <paramref name="tracker"/>.</summary>
    public CapacityOverlay(IResourceTracker tracker)
        : this(tracker, tracker)
    {
    }

    private readonly SortedDictionary<string, ResourceList> _taken = new(StringComparer.Ordinal);
    private readonly List<TrackedAllocation> _allocations = [];

    /// <summary>The tentative allocations, in the order they were made.</summary>
    public IReadOnlyList<TrackedAllocation> Allocations => _allocations;

    /// <summary>Takes <paramref name="cost"/> on <paramref name="node"/> for <paramref name="holder"/>, tentatively.</summary>
    public void Allocate(string node, ResourceList cost, string holder)
    {
        _taken[node] = TakenOn(node).Add(cost);
        _allocations.Add(new TrackedAllocation(holder, node, cost));
    }

    /// <summary>Takes <paramref name="cost"/> on <paramref name="node"/> from what others see, without ever holding it.</summary>
    public void Reserve(string node, ResourceList cost) => _taken[node] = TakenOn(node).Add(cost);

    /// <summary>Makes the tentative allocations in the tracker, all or none; false (nothing held) when they no longer fit.</summary>
    public bool Commit() => _allocations.Count == 0 || tracker.TryAllocateAll(_allocations);

    public bool TryGetCapacity(string node, out ResourceList capacity, out ResourceList available)
    {
        if (!view.TryGetCapacity(node, out capacity, out available))
        {
            return false;
        }

        if (_taken.TryGetValue(node, out var taken))
        {
            available = available.Subtract(taken);
        }

        return true;
    }

    public string? FirstFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible)
    {
        ArgumentNullException.ThrowIfNull(eligible);
        var first = view.FirstFit(cost, nodes, node => !_taken.ContainsKey(node.Name) && eligible(node));
        foreach (var name in _taken.Keys)
        {
            if (first is not null && string.CompareOrdinal(name, first) > 0)
            {
                break;
            }

            if (nodes.Find(name) is { } node && TryGetCapacity(name, out _, out var available) && cost.FitsIn(available) && eligible(node))
            {
                return name;
            }
        }

        return first;
    }

    public string? BestFit(ResourceList cost, NodeSet nodes, Func<NodeInfo, bool> eligible, FreeFractionPreference preference)
    {
        ArgumentNullException.ThrowIfNull(eligible);
        var best = view.BestFit(cost, nodes, node => !_taken.ContainsKey(node.Name) && eligible(node), preference);
        var bestScore = default(Fraction);
        if (best is not null && TryGetCapacity(best, out var bestCapacity, out var bestAvailable))
        {
            bestScore = FreeFraction.After(cost, bestCapacity, bestAvailable);
        }

        foreach (var name in _taken.Keys)
        {
            if (nodes.Find(name) is not { } node || !TryGetCapacity(name, out var capacity, out var available) || !cost.FitsIn(available) || !eligible(node))
            {
                continue;
            }

            var score = FreeFraction.After(cost, capacity, available);
            if (best is null || preference.Prefers(score, bestScore) || (score.CompareTo(bestScore) == 0 && string.CompareOrdinal(name, best) < 0))
            {
                best = name;
                bestScore = score;
            }
        }

        return best;
    }

    private ResourceList TakenOn(string node) => _taken.GetValueOrDefault(node) ?? ResourceList.Empty;
}
