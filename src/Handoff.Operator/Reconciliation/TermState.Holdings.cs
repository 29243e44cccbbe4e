using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;

namespace Handoff.Operator.Reconciliation;

/// <summary>The term's tracker made to hold what the live pods hold (step 3 of a pass).</summary>
public sealed partial class TermState
{
    /// <summary>
    /// Makes the tracker hold exactly what the live pods hold (<see cref="TrackerSync"/>, Core's one rule): each pod the
    /// cost it was placed with (plus one pod where the node counts pods). <paramref name="fallbackCost"/> gives the cost of
    /// a pod placed before pods recorded theirs (its function's current cost). When the pod view says what changed since
    /// the view last synced, and the tracker's journal says what changed in it since (the cycle's allocations) on the
    /// same nodes, only those holders and the pods not bound yet are looked at (<see cref="TrackerSync.ApplyChanges"/>);
    /// else every live pod is.
    /// </summary>
    public HoldingsSync SyncHoldings(PodView pods, NodeView nodes, Func<ObservedPod, ResourceList> fallbackCost)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(fallbackCost);
        var journal = Tracker.StopJournal();
        var result = pods.Changes is { } changes && changes.Since == _syncedPodView && journal is { NodesChanged: false }
            ? SyncChanged(pods, nodes, fallbackCost, changes, journal)
            : TrackerSync.Apply(Tracker, AllLive(pods, nodes, fallbackCost));
        _syncedPodView = pods.BuildNumber;
        Tracker.StartJournal();
        if (result.ToBind.Count == 0 && result.ToDelete.Count == 0 && pods.Stranded.Count == 0)
        {
            return HoldingsSync.None;
        }

        // Rare (a placement cut short by a restart).
        return new HoldingsSync(
            [.. result.ToBind.Select(p => (pods.LiveOf(p.Holder)!, p.Node))],
            [.. result.ToDelete.Select(p => pods.LiveOf(p.Holder)!), .. pods.Stranded]);
    }

    private TrackerSyncResult SyncChanged(PodView pods, NodeView nodes, Func<ObservedPod, ResourceList> fallbackCost, HoldingChanges changes, TrackerJournal journal)
    {
        var changed = new HashSet<string>(changes.Holders, StringComparer.Ordinal);
        changed.UnionWith(journal.Holders);
        foreach (var pod in pods.Uncosted)
        {
            // Holds its function's current cost, which may have changed while the pod did not.
            changed.Add(pod.Key);
        }

        if (changes.ExternalNodes.Count > 0)
        {
            foreach (var state in nodes.States)
            {
                if (state.Info is { CountsPods: true } info && changes.ExternalNodes.Contains(state.KubernetesNode))
                {
                    changed.Add(ExternalHolder(info.Name));
                }
            }
        }

        var unbound = new List<LivePlacement>(pods.Unbound.Count);
        foreach (var pod in pods.Unbound)
        {
            unbound.Add(PlacementOf(pod, nodes, fallbackCost));
        }

        return TrackerSync.ApplyChanges(Tracker, changed, holder => CurrentPlacement(holder, pods, nodes, fallbackCost), unbound);
    }

    // A holder's live placement now: a pod's, or everyone else's pods' on a Node-backed node; null for none.
    private static LivePlacement? CurrentPlacement(string holder, PodView pods, NodeView nodes, Func<ObservedPod, ResourceList> fallbackCost)
    {
        if (holder.StartsWith(ExternalHolderPrefix, StringComparison.Ordinal))
        {
            return nodes.Find(holder[ExternalHolderPrefix.Length..]) is { Info: { CountsPods: true } info } state && pods.ExternalOf(state.KubernetesNode) is { Count: > 0 } external
                ? ExternalPlacement(info, external)
                : null;
        }

        return pods.LiveOf(holder) is { } pod ? PlacementOf(pod, nodes, fallbackCost) : null;
    }

    // Every live placement: each live pod's, and everyone else's pods' on each Node-backed node.
    private static List<LivePlacement> AllLive(PodView pods, NodeView nodes, Func<ObservedPod, ResourceList> fallbackCost)
    {
        var live = new List<LivePlacement>(pods.Live.Count);
        foreach (var pod in pods.Live)
        {
            live.Add(PlacementOf(pod, nodes, fallbackCost));
        }

        // On a Node-backed node, everyone else's pods hold what they request (kube-scheduler counts them the same way).
        foreach (var state in nodes.States)
        {
            if (state.Info is { CountsPods: true } info && pods.ExternalOf(state.KubernetesNode) is { Count: > 0 } external)
            {
                live.Add(ExternalPlacement(info, external));
            }
        }

        return live;
    }

    // Made with the pod's observation (kept from pass to pass), but for a pod placed before pods recorded their cost.
    private static LivePlacement PlacementOf(ObservedPod pod, NodeView nodes, Func<ObservedPod, ResourceList> fallbackCost)
    {
        if (pod.Placement is { } placement)
        {
            return placement;
        }

        var node = nodes.Find(pod.HandoffNode!)!.Info!;
        return new LivePlacement(pod.Key, node.Name, NodeEligibility.CostOn(pod.Cost ?? fallbackCost(pod), node), pod.Attempt.Bound, pod.Attempt.Created);
    }

    private static LivePlacement ExternalPlacement(NodeInfo info, ResourceList external) =>
        new(ExternalHolder(info.Name), info.Name, external, Bound: true, DateTimeOffset.MinValue);
}
