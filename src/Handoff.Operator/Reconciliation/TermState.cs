using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Everything a leadership term keeps between its passes, in one owner with explicit invalidation: the tracker (kept
/// equal, every pass, to what the live pods hold), and memos that only save work — parsed HandoffNodes and function
/// specs (by generation), the last status checked per object, the Events already recorded. Nothing here is needed for
/// correctness after a restart: a new term starts empty and derives the same decisions from the cluster.
/// </summary>
public sealed class TermState(AllocationStrategy defaultStrategy)
{
    private readonly Dictionary<string, (long? Generation, bool Ready, bool Cordoned, IDictionary<string, string>? Labels, NodeInfo Info)> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long? Generation, MappedFunction? Mapped, ManifestValidationException? Problem)> _specs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeInfo> _trackedNodes = new(StringComparer.Ordinal);

    public IndexedResourceTracker Tracker { get; } = new();

    /// <summary>Per function key: the resourceVersion and report last found or made right (equal = nothing to write).</summary>
    public Dictionary<string, (string? ResourceVersion, FunctionReport Report)> FunctionStatusChecked { get; } = new(StringComparer.Ordinal);

    /// <summary>Per HandoffNode: the resourceVersion and report last found or made right.</summary>
    public Dictionary<string, (string? ResourceVersion, NodeReport Report)> NodeStatusChecked { get; } = new(StringComparer.Ordinal);

    /// <summary>Per function key: the last Event recorded (reason and message), so a lasting state is recorded once.</summary>
    public Dictionary<string, EventReport> EventsRecorded { get; } = new(StringComparer.Ordinal);

    /// <summary>Per HandoffNode: the usage last exported as metrics.</summary>
    public Dictionary<string, NodeUsage> ReportedUsage { get; } = new(StringComparer.Ordinal);

    /// <summary>A HandoffNode → NodeInfo, parsed again only when its spec, labels, readiness or cordon changed.</summary>
    public NodeInfo ParseNode(HandoffNode node, bool ready, bool cordoned)
    {
        var name = node.Metadata.Name;
        if (_nodes.TryGetValue(name, out var known) && known.Generation == node.Metadata.Generation && known.Ready == ready &&
            known.Cordoned == cordoned && ReferenceEquals(known.Labels, node.Metadata.Labels))
        {
            return known.Info;
        }

        var info = HandoffMapper.ToNodeInfo(node, ready);
        info = cordoned ? info with { Unschedulable = true } : info;
        _nodes[name] = (node.Metadata.Generation, ready, cordoned, node.Metadata.Labels, info);
        return info;
    }

    /// <summary>A HandoffFunction's spec in Core's terms, mapped again only when its generation changed.</summary>
    public MappedFunction MapFunction(HandoffFunction function)
    {
        var uid = function.Metadata.Uid ?? function.Metadata.Name;
        if (!_specs.TryGetValue(uid, out var known) || known.Generation != function.Metadata.Generation)
        {
            try
            {
                known = (function.Metadata.Generation, HandoffMapper.ToFunction(function, defaultStrategy), null);
            }
            catch (ManifestValidationException ex)
            {
                known = (function.Metadata.Generation, null, ex);
            }

            _specs[uid] = known;
        }

        return known.Mapped ?? throw known.Problem!;
    }

    /// <summary>The tracker's nodes and capacities = the usable HandoffNodes of <paramref name="nodes"/>.</summary>
    public void SyncNodes(NodeView nodes)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in nodes.States)
        {
            if (state.Info is not { } info)
            {
                continue;
            }

            present.Add(info.Name);
            if (!_trackedNodes.TryGetValue(info.Name, out var tracked) || tracked.Capacity != info.Capacity)
            {
                Tracker.SetNode(info.Name, info.Capacity);
            }

            _trackedNodes[info.Name] = info;
        }

        foreach (var name in _trackedNodes.Keys.Where(n => !present.Contains(n)).ToList())
        {
            Tracker.RemoveNode(name);
            _trackedNodes.Remove(name);
        }
    }

    /// <summary>
    /// Makes the tracker hold exactly what the live pods hold: each bound live pod its cost (adopted without a capacity
    /// check: the cluster is the truth, even above a lowered capacity); each created, unbound pod its cost if it still
    /// fits (in creation order), else it is to be deleted; nothing else. <paramref name="fallbackCost"/> gives the cost
    /// of a pod placed before pods recorded it (its function's current cost).
    /// </summary>
    public HoldingsSync SyncHoldings(PodView pods, NodeView nodes, Func<ObservedPod, ResourceList> fallbackCost)
    {
        var bound = new Dictionary<string, (string Node, ResourceList Cost)>(StringComparer.Ordinal);
        var unbound = new Dictionary<string, (ObservedPod Pod, string Node, ResourceList Cost)>(StringComparer.Ordinal);
        foreach (var pod in pods.Live)
        {
            var node = nodes.Find(pod.HandoffNode!)!.Info!;
            var cost = NodeEligibility.CostOn(pod.Cost ?? fallbackCost(pod), node);
            if (pod.Attempt.Bound)
            {
                bound[pod.Key] = (node.Name, cost);
            }
            else
            {
                unbound[pod.Key] = (pod, node.Name, cost);
            }
        }

        foreach (var held in Tracker.Allocations())
        {
            var keep = (bound.TryGetValue(held.Holder, out var b) && b.Node == held.Node && b.Cost == held.Cost)
                || (unbound.TryGetValue(held.Holder, out var u) && u.Node == held.Node && u.Cost == held.Cost);
            if (!keep)
            {
                Tracker.Release(held.Holder);
            }
        }

        foreach (var (key, (node, cost)) in bound)
        {
            if (Tracker.NodeOf(key) is null)
            {
                Tracker.Adopt(node, cost, key);
            }
        }

        var toBind = new List<(ObservedPod, string)>();
        var toDelete = new List<ObservedPod>();
        foreach (var (pod, node, cost) in unbound.Values.OrderBy(u => u.Pod.Attempt.Created).ThenBy(u => u.Pod.Key, StringComparer.Ordinal))
        {
            if (Tracker.NodeOf(pod.Key) is not null || Tracker.TryAllocate(node, cost, pod.Key))
            {
                toBind.Add((pod, node));
            }
            else
            {
                toDelete.Add(pod);
            }
        }

        return new HoldingsSync(toBind, toDelete);
    }

    /// <summary>Drops the memos of objects that are gone (explicit invalidation; the tracker is synced separately).</summary>
    public void Forget(IReadOnlySet<string> functionKeys, IReadOnlySet<string> functionUids, IReadOnlySet<string> handoffNodes)
    {
        Prune(FunctionStatusChecked, functionKeys);
        Prune(EventsRecorded, functionKeys);
        Prune(_specs, functionUids);
        Prune(NodeStatusChecked, handoffNodes);
        Prune(_nodes, handoffNodes);
    }

    private static void Prune<TValue>(Dictionary<string, TValue> memo, IReadOnlySet<string> present)
    {
        foreach (var key in memo.Keys.Where(k => !present.Contains(k)).ToList())
        {
            memo.Remove(key);
        }
    }
}
