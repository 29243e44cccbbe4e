namespace Handoff.Core.Tracking;

/// <summary>What syncing a tracker with the live placements found: placements to bind (their capacity is held) and to delete (it is gone).</summary>
public sealed record TrackerSyncResult(IReadOnlyList<LivePlacement> ToBind, IReadOnlyList<LivePlacement> ToDelete);

/// <summary>
/// The one rule of what a node holds: exactly what its live placements hold. Applied at every reconcile pass (and so
/// after a crash, whose recovery is the same pass), and by anything that simulates one.
/// </summary>
public static class TrackerSync
{
    /// <summary>
    /// Makes <paramref name="tracker"/> hold exactly <paramref name="live"/>: each bound placement its cost, adopted
    /// without a capacity check (the cluster is the truth, even above a lowered capacity); each placement not bound yet
    /// its cost if it fits now, taken again in creation order — else it is to be deleted, never leaked; nothing else
    /// (holders whose pods ended are released). Placements on nodes the tracker does not know hold nothing.
    /// </summary>
    public static TrackerSyncResult Apply(IResourceTracker tracker, IReadOnlyList<LivePlacement> live)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(live);
        var wanted = new Dictionary<string, LivePlacement>(live.Count, StringComparer.Ordinal);
        foreach (var placement in live)
        {
            wanted[placement.Holder] = placement;
        }

        // Held placements not bound yet are let go too, and taken again below: whatever they were decided on, they are
        // bound only where they fit now.
        foreach (var held in tracker.Allocations())
        {
            if (!wanted.TryGetValue(held.Holder, out var p) || !p.Bound || p.Node != held.Node || p.Cost != held.Cost)
            {
                tracker.Release(held.Holder);
            }
        }

        foreach (var placement in live)
        {
            if (placement.Bound && tracker.NodeOf(placement.Holder) is null)
            {
                tracker.Adopt(placement.Node, placement.Cost, placement.Holder);
            }
        }

        return TakeUnbound(tracker, live);
    }

    /// <summary>
    /// <see cref="Apply"/> where only some holders may have changed: <paramref name="tracker"/> holds what the last
    /// <see cref="Apply"/> or <see cref="ApplyChanges"/> made it hold, on the same nodes, and nothing has changed since but
    /// the holders in <paramref name="changed"/> — placements that came, went or changed, and holders the tracker
    /// allocated or released itself since. <paramref name="current"/> gives each holder's live placement now (null for
    /// none), and <paramref name="unbound"/> every live placement not bound yet. The tracker then holds what
    /// <see cref="Apply"/> would make it hold, with the same result, for the cost of the changed and unbound holders only.
    /// </summary>
    public static TrackerSyncResult ApplyChanges(
        IResourceTracker tracker, IEnumerable<string> changed, Func<string, LivePlacement?> current, IReadOnlyCollection<LivePlacement> unbound)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(unbound);

        // A changed holder is let go and adopted again when bound (held as it is now, whatever it held before); a
        // placement not bound yet is let go and taken again below, as Apply does.
        var holders = changed as IReadOnlyCollection<string> ?? [.. changed];
        foreach (var holder in holders)
        {
            tracker.Release(holder);
        }

        foreach (var placement in unbound)
        {
            tracker.Release(placement.Holder);
        }

        foreach (var holder in holders)
        {
            if (current(holder) is { Bound: true } placement && tracker.NodeOf(holder) is null)
            {
                tracker.Adopt(placement.Node, placement.Cost, holder);
            }
        }

        return TakeUnbound(tracker, unbound);
    }

    // The placements not bound yet, taken in creation order where they fit now; the others are to be deleted.
    private static TrackerSyncResult TakeUnbound(IResourceTracker tracker, IEnumerable<LivePlacement> live)
    {
        var toBind = new List<LivePlacement>();
        var toDelete = new List<LivePlacement>();
        foreach (var placement in live.Where(p => !p.Bound).OrderBy(p => p.Created).ThenBy(p => p.Holder, StringComparer.Ordinal))
        {
            if (tracker.TryAllocate(placement.Node, placement.Cost, placement.Holder))
            {
                toBind.Add(placement);
            }
            else
            {
                toDelete.Add(placement);
            }
        }

        return new TrackerSyncResult(toBind, toDelete);
    }
}
