using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Operator.Reconciliation;

/// <summary>The term's HandoffNodes: the tracker's nodes (step 2 of a pass) and the nodes' reports (step 8).</summary>
public sealed partial class TermState
{
    /// <summary>
    /// A HandoffNode's desired status (<see cref="NodeStatusStep.For"/>), made again only when what it is made of changed:
    /// the node as this pass sees it (equal by value), what the tracker holds there, what others' pods hold there.
    /// </summary>
    public NodeReport NodeReport(HandoffNodeState node, NodeUsage? usage, ResourceList? external)
    {
        if (_nodeReports.TryGetValue(node.Name, out var known) && known.Node == node && known.Usage == usage && known.External == external)
        {
            return known.Report;
        }

        var report = NodeStatusStep.For(node, usage, external);
        if (known.Report is { } previous && previous == report)
        {
            // Equal to the last one (e.g. the node's object was replaced by its own status write): keep that instance, which
            // the status memo may hold too, instead of a second copy of its maps and strings per node.
            report = previous;
        }

        _nodeReports[node.Name] = (node, usage, external, report);
        return report;
    }

    /// <summary>
    /// Which of <paramref name="nodes"/>' HandoffNodes the last pass found reported as they are now: the same state
    /// (the same object, Node facts and claim), the same usage in the tracker, the same requests of everyone else's pods,
    /// and its report written with no Event to record — by index in its states; null when not known (then each must be
    /// reported). A pass over 5,000 nodes made and checked each one's report again, though a few dozen had changed.
    /// Takes the tracker's changed nodes: called once a pass, after the tracker is synced and the cycle has run, and
    /// followed by <see cref="NodesReported"/>.
    /// </summary>
    public bool[]? NodesReportedAsTheyAre(NodeView nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var changed = Tracker.TakeChangedNodes();
        var reported = _nodesReported;
        // Taken: a pass that does not get to note its reports (it failed) leaves the next one to report every node.
        _nodesReported = null;
        if (reported is not { } last || changed is null)
        {
            return null;
        }

        var states = nodes.States;
        var same = new bool[states.Count];
        for (var i = 0; i < states.Count && i < last.States.Count; i++)
        {
            same[i] = last.Settled[i] && ReferenceEquals(last.States[i], states[i]);
        }

        // Everyone else's requests on a Node-backed node are held in the tracker (ExternalHolder): when they change, so
        // does the node's usage.
        foreach (var name in changed)
        {
            if (nodes.IndexOf(name) is var at && at >= 0)
            {
                same[at] = false;
            }
        }

        return same;
    }

    /// <summary>Notes which of the pass's HandoffNodes (by index) had their report found written with no Event to record.</summary>
    public void NodesReported(NodeView nodes, bool[] settled)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _nodesReported = (nodes.States, settled);
    }

    /// <summary>The tracker's nodes and capacities = the usable HandoffNodes of <paramref name="nodes"/>.</summary>
    public void SyncNodes(NodeView nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (ReferenceEquals(nodes.Nodes, _syncedNodes))
        {
            // The very usable nodes synced last (a view made from the last one with the same facts): tracked as they are.
            return;
        }

        Track(nodes);
        _syncedNodes = nodes.Nodes;
    }

    private void Track(NodeView nodes)
    {
        var usable = 0;
        foreach (var state in nodes.States)
        {
            if (state.Info is not { } info)
            {
                continue;
            }

            usable++;
            if (_trackedNodes.TryGetValue(info.Name, out var tracked) && ReferenceEquals(tracked, info))
            {
                continue;
            }

            if (tracked is null || tracked.Capacity != info.Capacity)
            {
                Tracker.SetNode(info.Name, info.Capacity);
            }

            _trackedNodes[info.Name] = info;
        }

        // Every usable name is tracked now (names are unique): as many tracked as usable means none is left over, which
        // is what nearly every pass finds, so the set of names is made only when a node went.
        if (_trackedNodes.Count == usable)
        {
            return;
        }

        var present = new HashSet<string>(nodes.States.Where(s => s.Info is not null).Select(s => s.Info!.Name), StringComparer.Ordinal);
        foreach (var name in _trackedNodes.Keys.Where(n => !present.Contains(n)).ToList())
        {
            Tracker.RemoveNode(name);
            _trackedNodes.Remove(name);
        }
    }
}
