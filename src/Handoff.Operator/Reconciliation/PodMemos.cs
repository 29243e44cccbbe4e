using Handoff.Operator.Controllers;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// What a term keeps of each pod between passes (by key), so that the pod view derives again only the pods that
/// changed: a pod's <see cref="ObservedPod"/> (which HandoffNode it holds capacity on, its attempt, its placement) is
/// made of its cache record and of how the HandoffNodes resolve — which names are usable, which Kubernetes Node each
/// one claims, whether it counts pods. The informer stores a new record for every change of a pod, and any change of
/// that resolution starts a new epoch; while neither changed, the last observation is used again. Also which pod keys
/// the current pass saw (<see cref="WasSeen"/>: the names a new pod must not take). Nothing here decides: a fresh
/// memo gives the same view.
/// </summary>
public sealed class PodMemos
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private (string Name, string KubernetesNode, bool Usable, bool CountsPods)[] _resolution = [];
    private NodeView? _resolved;
    private int _epoch;
    private int _pass;
    private int _seen;

    /// <summary>Pods whose observation is kept (for tests).</summary>
    internal int Count => _entries.Count;

    /// <summary>Starts a pass over <paramref name="nodes"/>: a new epoch when the HandoffNodes resolve differently.</summary>
    internal void BeginPass(NodeView nodes)
    {
        _pass++;
        _seen = 0;
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

    /// <summary>
    /// The pod's entry, marked seen in this pass: emptied when the record or the epoch is not the one it was made in.
    /// </summary>
    internal Entry Of(PodRecord pod, string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            _entries[key] = entry = new Entry(pod, _epoch);
        }
        else if (!ReferenceEquals(entry.Record, pod) || entry.Epoch != _epoch)
        {
            entry.Reset(pod, _epoch);
        }

        entry.Seen = _pass;
        _seen++;
        return entry;
    }

    /// <summary>Whether a pod with this key (<c>namespace/name</c>) was seen in the current pass.</summary>
    public bool WasSeen(string key) => _entries.TryGetValue(key, out var entry) && entry.Seen == _pass;

    /// <summary>
    /// Ends the pass's walk: the entries of pods gone are dropped once they are more than a few — a walk over every
    /// entry, so not on every pass a pod goes.
    /// </summary>
    internal void EndPass()
    {
        if (_entries.Count - _seen <= Math.Max(1024, _seen / 8))
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.Seen != _pass)
            {
                _entries.Remove(key);
            }
        }
    }

    /// <summary>Drops every observation (the idle trim: the next pass observes every pod once).</summary>
    public void Forget()
    {
        _resolved = null;
        _entries.Clear();
        _entries.TrimExcess();
    }

    /// <summary>One pod's observation in one epoch, made the first time a pass needs it.</summary>
    internal sealed class Entry(PodRecord record, int epoch)
    {
        public PodRecord Record { get; private set; } = record;

        public int Epoch { get; private set; } = epoch;

        public int Seen { get; set; }

        /// <summary>The pod as the pass sees it (null until made).</summary>
        public ObservedPod? Observed { get; set; }

        /// <summary>The list of its function's pods when it is the only one (null until made).</summary>
        public IReadOnlyList<ObservedPod>? Alone { get; set; }

        public void Reset(PodRecord pod, int epoch)
        {
            (Record, Epoch, Observed, Alone) = (pod, epoch, null, null);
        }
    }
}
