using System.Runtime.InteropServices;
using Handoff.Api.Mapping;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Operator.Controllers;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The term's pod view, kept from pass to pass so that a pass looks at the pods that changed only
/// (<see cref="PodView.Build"/>). Each pod's <see cref="ObservedPod"/> (which HandoffNode it holds capacity on, its
/// attempt, its placement) is made of its cache record and of how the HandoffNodes resolve — which names are usable,
/// which Kubernetes Node each one claims, whether it counts pods; the view's parts (each function's pods, the live
/// placements, the stranded and pending pods, everyone else's requests per Node) are made of the observations. While
/// the HandoffNodes resolve the same way and the snapshot's pods come from the last listing with the changes the cache
/// gives (<see cref="ClusterSnapshot.PodChanges"/>), only the changed pods are taken out of the parts and put back; any
/// other pass walks every pod (observations of unchanged records still used again). Nothing here decides: a fresh memo
/// gives the same view.
/// </summary>
public sealed class PodMemos
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private (string Name, string KubernetesNode, bool Usable, bool CountsPods)[] _resolution = [];
    private NodeView? _resolved;
    private int _epoch;
    private int _builds;

    // The parts of the view kept: of the listing _listing, in epoch _viewEpoch (null: none kept).
    private IReadOnlyList<PodRecord>? _listing;
    private int _viewEpoch;
    private readonly Dictionary<string, IReadOnlyList<ObservedPod>> _byFunction = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ObservedPod> _live = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ObservedPod> _stranded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObservedPod> _unbound = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObservedPod> _uncosted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PlainPod> _pending = new(StringComparer.Ordinal);
    private IReadOnlyList<PlainPod>? _pendingInOrder;
    private readonly Dictionary<string, Dictionary<string, ResourceList>> _externalPods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceList> _external = new(StringComparer.Ordinal);

    /// <summary>Pods whose observation is kept (for tests).</summary>
    internal int Count => _entries.Count;

    /// <summary>How many views were built (the last one's number).</summary>
    internal int Builds => _builds;

    /// <summary>
    /// Brings the kept view to <paramref name="snapshot"/>'s pods as <paramref name="nodes"/> resolve them; returns what
    /// changed in what the live pods hold since the last build, or null when every pod was looked at (then any may have).
    /// </summary>
    internal HoldingChanges? Update(ClusterSnapshot snapshot, NodeView nodes, string schedulerName, AllocationStrategy defaultStrategy)
    {
        BeginPass(nodes);
        var since = _builds++;
        HoldingChanges? changes = null;
        if (_listing is not null && _viewEpoch == _epoch && ReferenceEquals(snapshot.Pods, _listing))
        {
            changes = HoldingChanges.None(since);
        }
        else if (_listing is not null && _viewEpoch == _epoch && snapshot.PodChanges is { } podChanges && ReferenceEquals(podChanges.Since, _listing))
        {
            changes = HoldingChanges.Collecting(since);
            foreach (var (key, pod) in podChanges.Changes)
            {
                if (_entries.TryGetValue(key, out var entry))
                {
                    Withdraw(key, entry, changes);
                    if (pod is null)
                    {
                        _entries.Remove(key);
                    }
                }

                if (pod is not null)
                {
                    Add(pod, key, nodes, schedulerName, defaultStrategy, changes);
                }
            }

            foreach (var node in changes.ExternalNodes)
            {
                SumExternal(node);
            }
        }
        else
        {
            Rebuild(snapshot, nodes, schedulerName, defaultStrategy);
        }

        (_listing, _viewEpoch) = (snapshot.Pods, _epoch);
        return changes;
    }

    /// <summary>Each function's pods (by UID), in key order.</summary>
    internal IReadOnlyDictionary<string, IReadOnlyList<ObservedPod>> ByFunction => _byFunction;

    /// <summary>The live pods that hold capacity on a HandoffNode, in key order (a walk: once per pass at most).</summary>
    internal IReadOnlyList<ObservedPod> Live() => [.. _live.Values];

    /// <summary>The live pod that holds capacity under this key, or null.</summary>
    internal ObservedPod? LiveOf(string key) => _live.GetValueOrDefault(key);

    internal IReadOnlyCollection<ObservedPod> Unbound => _unbound.Values;

    internal IReadOnlyCollection<ObservedPod> Uncosted => _uncosted.Values;

    internal IReadOnlyList<ObservedPod> Stranded() => _stranded.Count == 0 ? [] : [.. _stranded.Values];

    internal IReadOnlyList<PlainPod> Pending() => _pendingInOrder ??= _pending.Count == 0 ? []
        : [.. _pending.Values.OrderBy(p => p.Record.CreationTimestamp).ThenBy(p => p.Key, StringComparer.Ordinal)];

    internal IReadOnlyDictionary<string, ResourceList> External => _external;

    /// <summary>Whether a pod with this key (<c>namespace/name</c>) is in the current pass's snapshot.</summary>
    public bool WasSeen(string key) => _entries.ContainsKey(key);

    /// <summary>Drops every observation and the kept view (the idle trim: the next pass observes every pod once).</summary>
    public void Forget()
    {
        _resolved = null;
        _listing = null;
        _entries.Clear();
        _entries.TrimExcess();
        ClearView();
    }

    // Starts a pass over the nodes: a new epoch when the HandoffNodes resolve differently.
    private void BeginPass(NodeView nodes)
    {
        if (nodes.ResolvesAs(_resolved))
        {
            // Made from the last view with its names, claims and usable nodes: nothing to compare.
            _resolved = nodes;
            return;
        }

        _resolved = nodes;
        var states = nodes.States;
        var same = states.Count == _resolution.Length;
        for (var i = 0; same && i < states.Count; i++)
        {
            var (s, r) = (states[i], _resolution[i]);
            same = s.Name == r.Name && s.KubernetesNode == r.KubernetesNode && (s.Info is not null) == r.Usable && (s.Info?.CountsPods == true) == r.CountsPods;
        }

        if (!same)
        {
            _epoch++;
            _resolution = [.. states.Select(s => (s.Name, s.KubernetesNode, s.Info is not null, s.Info?.CountsPods == true))];
        }
    }

    // Every pod looked at: the parts made anew, each observation of a record and epoch seen before used again, and the
    // entries of pods gone dropped.
    private void Rebuild(ClusterSnapshot snapshot, NodeView nodes, string schedulerName, AllocationStrategy defaultStrategy)
    {
        ClearView();
        foreach (var pod in snapshot.Pods)
        {
            Add(pod, pod.Key, nodes, schedulerName, defaultStrategy, null);
        }

        foreach (var node in _externalPods.Keys)
        {
            SumExternal(node);
        }

        if (_entries.Count > snapshot.Pods.Count)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.Seen != _builds)
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    private void ClearView()
    {
        _byFunction.Clear();
        _live.Clear();
        _stranded.Clear();
        _unbound.Clear();
        _uncosted.Clear();
        _pending.Clear();
        _pendingInOrder = null;
        _externalPods.Clear();
        _external.Clear();
    }

    // The pod's entry (its observation used again while its record and the epoch are the ones it was made in), and its
    // place in the view's parts.
    private void Add(PodRecord pod, string key, NodeView nodes, string schedulerName, AllocationStrategy defaultStrategy, HoldingChanges? changes)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            _entries[key] = entry = new Entry(pod, _epoch);
        }
        else if (!ReferenceEquals(entry.Record, pod) || entry.Epoch != _epoch)
        {
            entry.Reset(pod, _epoch);
        }

        entry.Seen = _builds;
        var role = entry.Role = pod.RoleFor(schedulerName);
        switch (role)
        {
            case PodRole.External:
                var node = entry.ExternalNode = pod.NodeName!;
                if (!_externalPods.TryGetValue(node, out var onNode))
                {
                    _externalPods[node] = onNode = new Dictionary<string, ResourceList>(StringComparer.Ordinal);
                }

                onNode[key] = pod.HoldingAs(role)!;
                changes?.ExternalNodes.Add(node);
                return;
            case PodRole.WaitingForHandoff:
                _pending[key] = PodView.Plain(pod, key, defaultStrategy);
                _pendingInOrder = null;
                return;
            case PodRole.Finished or PodRole.OtherScheduler:
                return;
        }

        var observed = entry.Observed ??= PodView.Observe(pod, key, nodes, pod.HoldingAs(role));
        if (role == PodRole.FunctionPod && observed.OwnerUid is { } owner)
        {
            // A function has one pod but while it retries: a one-pod list kept with the observation, a new list (in key
            // order) made when a second pod comes or one goes — lists handed to earlier views are never changed.
            ref var pods = ref CollectionsMarshal.GetValueRefOrAddDefault(_byFunction, owner, out var earlier);
            pods = earlier ? [.. pods!.Append(observed).OrderBy(p => p.Key, StringComparer.Ordinal)] : entry.Alone ??= [observed];
            changes?.Owners.Add(owner);
        }

        if (observed.Live && observed.HandoffNode is not null)
        {
            _live[key] = observed;
            changes?.Holders.Add(key);
            if (!observed.Attempt.Bound)
            {
                _unbound[key] = observed;
            }

            if (observed.Placement is null)
            {
                _uncosted[key] = observed;
            }
        }
        else if (observed.Live && !observed.Attempt.Bound)
        {
            // Created for a HandoffNode that is gone (or not usable): its capacity can never be taken again.
            _stranded[key] = observed;
        }
    }

    // Takes the pod's entry (as it was added) out of the view's parts.
    private void Withdraw(string key, Entry entry, HoldingChanges changes)
    {
        switch (entry.Role)
        {
            case PodRole.External:
                if (_externalPods.TryGetValue(entry.ExternalNode!, out var onNode))
                {
                    onNode.Remove(key);
                }

                changes.ExternalNodes.Add(entry.ExternalNode!);
                return;
            case PodRole.WaitingForHandoff:
                _pending.Remove(key);
                _pendingInOrder = null;
                return;
            case PodRole.Finished or PodRole.OtherScheduler:
                return;
        }

        if (entry.Observed is not { } observed)
        {
            return;
        }

        if (entry.Role == PodRole.FunctionPod && observed.OwnerUid is { } owner && _byFunction.TryGetValue(owner, out var pods))
        {
            changes.Owners.Add(owner);
            var left = pods.Where(p => !ReferenceEquals(p, observed)).ToArray();
            if (left.Length == 0)
            {
                _byFunction.Remove(owner);
            }
            else
            {
                _byFunction[owner] = left;
            }
        }

        if (_live.Remove(key))
        {
            changes.Holders.Add(key);
        }

        _unbound.Remove(key);
        _uncosted.Remove(key);
        _stranded.Remove(key);
    }

    // What everyone else's live pods request on a Node: the sum of its pods', or nothing.
    private void SumExternal(string node)
    {
        if (!_externalPods.TryGetValue(node, out var onNode) || onNode.Count == 0)
        {
            _externalPods.Remove(node);
            _external.Remove(node);
            return;
        }

        var sum = ResourceList.Empty;
        foreach (var request in onNode.Values)
        {
            sum = sum.Add(request);
        }

        _external[node] = sum;
    }

    /// <summary>One pod's observation in one epoch, made the first time a pass needs it, and the part of the view it went to.</summary>
    internal sealed class Entry(PodRecord record, int epoch)
    {
        public PodRecord Record { get; private set; } = record;

        public int Epoch { get; private set; } = epoch;

        public int Seen { get; set; }

        public PodRole Role { get; set; }

        /// <summary>The Node its request is counted on (an external pod's).</summary>
        public string? ExternalNode { get; set; }

        /// <summary>The pod as the pass sees it (null until made).</summary>
        public ObservedPod? Observed { get; set; }

        /// <summary>The list of its function's pods when it is the only one (null until made).</summary>
        public IReadOnlyList<ObservedPod>? Alone { get; set; }

        public void Reset(PodRecord pod, int epoch)
        {
            (Record, Epoch, Observed, Alone, ExternalNode) = (pod, epoch, null, null, null);
        }
    }
}
