using System.Collections.Concurrent;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Everything a leadership term keeps between its passes, in one owner with explicit invalidation: the tracker (kept
/// equal, every pass, to what the live pods hold), and memos that only save work — parsed HandoffNodes and function
/// specs (by generation), each function's last view and whether its report stood, each pod's last observation and each
/// HandoffNode's last state (so a pass derives again only what changed), the last status checked per object, the
/// Events already recorded. Nothing here is needed for correctness after a restart: a new term starts empty and
/// derives the same decisions from the cluster.
/// </summary>
public sealed class TermState(AllocationStrategy defaultStrategy)
{
    /// <summary>The holder key of what everyone else's pods request on a Node-backed node.</summary>
    public static string ExternalHolder(string handoffNode) => ExternalHolderPrefix + handoffNode;

    private const string ExternalHolderPrefix = "external:";

    /// <summary>The strategy of functions and pods that name none.</summary>
    public AllocationStrategy DefaultStrategy => defaultStrategy;

    private readonly Dictionary<string, (long? Generation, bool Ready, V1Node? Node, IDictionary<string, string>? Labels, NodeInfo Info)> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FunctionMemo> _functions = new(StringComparer.Ordinal);
    private readonly SharedSpecMemo _shared = new();
    private readonly Dictionary<string, NodeInfo> _trackedNodes = new(StringComparer.Ordinal);
    private NodeSet? _syncedNodes;
    private int _syncedPodView = -1;
    private (IReadOnlyList<HandoffNodeState> States, bool[] Settled)? _nodesReported;
    private readonly Dictionary<string, (HandoffNodeState Node, NodeUsage? Usage, ResourceList? External, NodeReport Report)> _nodeReports = new(StringComparer.Ordinal);

    public IndexedResourceTracker Tracker { get; } = new();

    /// <summary>Each pod's last observation (<see cref="PodView.Build"/>).</summary>
    public PodMemos Pods { get; } = new();

    /// <summary>Each HandoffNode's last state (<see cref="NodeView.Build"/>).</summary>
    public NodeStates NodeStates { get; } = new();

    // The memos below are written by the pass's parallel writes (StatusWriter under Reconciler.RunAsync): concurrent.

    /// <summary>
    /// Per function key: the resourceVersion and report found right by comparing JSON, where the field comparison
    /// (<see cref="FunctionStatusMatch"/>) could not tell (equal = nothing to write). Most functions have no entry.
    /// </summary>
    public ConcurrentDictionary<string, (string? ResourceVersion, FunctionReport Report)> FunctionStatusChecked { get; } = new(StringComparer.Ordinal);

    /// <summary>Per HandoffNode: the resourceVersion and report last found or made right.</summary>
    public ConcurrentDictionary<string, (string? ResourceVersion, NodeReport Report)> NodeStatusChecked { get; } = new(StringComparer.Ordinal);

    /// <summary>Per function key: the last Event recorded (reason and message), so a lasting state is recorded once.</summary>
    public ConcurrentDictionary<string, EventReport> EventsRecorded { get; } = new(StringComparer.Ordinal);

    /// <summary>Discrete Events recorded this term (function UID, reason, message): facts reported once, not states.</summary>
    public ConcurrentDictionary<string, bool> DiscreteEventsRecorded { get; } = new(StringComparer.Ordinal);

    /// <summary>Per plain pod waiting for Handoff: the last Event recorded.</summary>
    public ConcurrentDictionary<string, EventReport> PodEventsRecorded { get; } = new(StringComparer.Ordinal);

    /// <summary>Per HandoffNode: the last Event recorded.</summary>
    public ConcurrentDictionary<string, EventReport> NodeEventsRecorded { get; } = new(StringComparer.Ordinal);

    /// <summary>Undecodable objects already reported, by kind, key, UID and generation.</summary>
    public ConcurrentDictionary<string, bool> InvalidReported { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A HandoffNode (with its Kubernetes Node) → NodeInfo, parsed again only when its spec, its labels, its readiness or
    /// the Node's facts (allocatable, taints, cordon, labels: <see cref="NodeFacts.Same"/>) changed.
    /// </summary>
    public NodeInfo ParseNode(HandoffNode node, V1Node? kubernetesNode, bool ready)
    {
        var name = node.Metadata.Name;
        if (_nodes.TryGetValue(name, out var known) && known.Generation == node.Metadata.Generation && known.Ready == ready &&
            NodeFacts.Same(known.Node, kubernetesNode) && NodeFacts.SameLabels(known.Labels, node.Metadata.Labels))
        {
            // Compared by what the facts are made of: a status write or a Node's status report brings new objects, and
            // the same facts keep the pass's usable nodes the same (NodeView.Update).
            return known.Info;
        }

        var info = HandoffMapper.ToNodeInfo(node, kubernetesNode, ready);
        _nodes[name] = (node.Metadata.Generation, ready, kubernetesNode, node.Metadata.Labels, info);
        return info;
    }

    /// <summary>A HandoffFunction's spec in Core's terms, mapped again only when its generation changed.</summary>
    public MappedFunction MapFunction(HandoffFunction function)
    {
        var memo = MemoOf(function);
        return memo.Mapped ?? throw memo.Problem!;
    }

    /// <summary>
    /// The function's memo (one lookup a pass): its spec mapped for its generation (or why it cannot be), and the view
    /// of it the last pass kept (<see cref="FunctionMemo.View"/>). <paramref name="key"/>, the cache's key of it when
    /// known, becomes the mapped function's id when it spells that id.
    /// </summary>
    public FunctionMemo MemoOf(HandoffFunction function, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var uid = function.Metadata.Uid ?? function.Metadata.Name;
        if (_functions.TryGetValue(uid, out var memo) && memo.Generation == function.Metadata.Generation)
        {
            return memo;
        }

        // A new generation is a new memo: no view of the old spec is kept.
        try
        {
            memo = new FunctionMemo(function.Metadata.Generation, HandoffMapper.ToFunction(function, defaultStrategy, _shared, key), null);
        }
        catch (ManifestValidationException ex)
        {
            memo = new FunctionMemo(function.Metadata.Generation, null, ex);
        }

        memo.Key = key ?? ObjectKeys.Of(function.Metadata.NamespaceProperty, function.Metadata.Name);
        _functions[uid] = memo;
        return memo;
    }

    /// <summary>The views of the last pass, with its listing of functions (<see cref="FunctionLifecycleStep"/>).</summary>
    internal KeptFunctionViews KeptViews { get; } = new();

    /// <summary>The key of the function with this UID, when a pass of this term looked at it.</summary>
    internal string? KeyOfFunction(string uid) => _functions.TryGetValue(uid, out var memo) ? memo.Key : null;

    /// <summary>
    /// Whether the last pass found this function's report — made from this very view and these dependencies, with nothing
    /// decided or done for it, without reading the time — already written, with no Event to record; then
    /// <paramref name="phase"/> is the phase its status shows, and the report need not be made and checked again.
    /// </summary>
    public bool IsSettled(FunctionView f, DependencyState dependencies, out FunctionPhase? phase)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(dependencies);
        // Kept on the function's memo, reached from the view: no lookup by key for each function on every pass.
        if (f.Memo?.Settled is { } settled && ReferenceEquals(settled.View, f) && SameDependencies(settled.Dependencies, dependencies))
        {
            phase = settled.Phase;
            return true;
        }

        phase = null;
        return false;
    }

    /// <summary>Notes (or, when not <paramref name="settled"/>, forgets) what <see cref="IsSettled"/> answers for <paramref name="f"/>.</summary>
    public static void Settle(FunctionView f, DependencyState dependencies, FunctionPhase? phase, bool settled)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (f.Memo is { } memo)
        {
            memo.Settled = settled ? new SettledReport(f, dependencies, phase) : null;
        }
    }

    /// <summary>
    /// Drops what the passes keep only to derive less (each function's last view, the settled reports, each pod's
    /// observation, each node's state), not the specs mapped: an operator gone quiet gives that memory back (the idle
    /// trim calls this, between passes), and its next pass derives every function, pod and node once again.
    /// </summary>
    public void ForgetDerived()
    {
        foreach (var memo in _functions.Values)
        {
            (memo.View, memo.Settled) = (null, null);
        }

        KeptViews.Clear();
        _nodesReported = null;

        Pods.Forget();
        NodeStates.Forget();
    }

    private static bool SameDependencies(DependencyState a, DependencyState b) =>
        ReferenceEquals(a, b) ||
        (a.Status == b.Status && a.UnknownCollocation == b.UnknownCollocation && a.Ids.SequenceEqual(b.Ids, StringComparer.Ordinal));

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

    /// <summary>
    /// Drops the memos of objects that are gone (explicit invalidation; the tracker is synced separately). The Events
    /// recorded are swept every pass (an old entry would keep a re-created object's Event from being recorded). The
    /// memos that hold one entry per object check its version on every use, so an old entry is never taken for a new
    /// object: they are swept only once they hold more entries than there are objects (sweeping them on every pass was
    /// ~5 % of a long run's pass CPU).
    /// </summary>
    public void Forget(SeenKeys functionKeys, SeenKeys functionUids, SeenKeys handoffNodes, SeenKeys pendingPods)
    {
        ArgumentNullException.ThrowIfNull(functionKeys);
        ArgumentNullException.ThrowIfNull(functionUids);
        ArgumentNullException.ThrowIfNull(handoffNodes);
        ArgumentNullException.ThrowIfNull(pendingPods);
        if (!DiscreteEventsRecorded.IsEmpty)
        {
            // Keys are "uid|reason|message": the uid looked up as a span, without a string per entry and pass.
            var uids = functionUids.Set.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var e in DiscreteEventsRecorded.Keys)
            {
                if (!uids.Contains(e.AsSpan(0, e.IndexOf('|', StringComparison.Ordinal))))
                {
                    DiscreteEventsRecorded.TryRemove(e, out _);
                }
            }
        }

        pendingPods.Prune(PodEventsRecorded);
        functionKeys.Prune(EventsRecorded);
        handoffNodes.Prune(NodeEventsRecorded);
        functionKeys.PruneOnceLarger(FunctionStatusChecked);
        functionUids.PruneOnceLarger(_functions);
        handoffNodes.PruneOnceLarger(NodeStatusChecked);
        handoffNodes.PruneOnceLarger(_nodes);
        handoffNodes.PruneOnceLarger(_nodeReports);
        NodeStates.Forget(handoffNodes);
    }

    /// <summary>
    /// What a term keeps of one function between passes (by UID): its spec in Core's terms for one generation
    /// (<see cref="Mapped"/>; null when it cannot be used, <see cref="Problem"/> says why), and its last view.
    /// </summary>
    public sealed class FunctionMemo(long? generation, MappedFunction? mapped, ManifestValidationException? problem)
    {
        internal long? Generation => generation;

        public MappedFunction? Mapped => mapped;

        public ManifestValidationException? Problem => problem;

        /// <summary>The function's key (<c>namespace/name</c>), the cache's string.</summary>
        internal string? Key { get; set; }

        /// <summary>
        /// The view the last pass made of it, kept only when its state was derived without reading the time: a pass that
        /// sees the same object, spec and pods uses it again instead of deriving it anew (<see cref="FunctionLifecycleStep"/>).
        /// </summary>
        public FunctionView? View { get; set; }

        /// <summary>The report last found standing for one of its views (<see cref="IsSettled"/>); null when none.</summary>
        internal SettledReport? Settled { get; set; }
    }

    internal sealed record SettledReport(FunctionView View, DependencyState Dependencies, FunctionPhase? Phase);
}
