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
public sealed partial class TermState(AllocationStrategy defaultStrategy)
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
