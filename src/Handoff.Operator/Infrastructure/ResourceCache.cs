using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// A thread-safe cache of Kubernetes objects by key (<c>namespace/name</c>, or <c>name</c> when cluster-scoped).
/// An optional transform (client-go's informer <c>TransformFunc</c>) trims every object before it is stored: the
/// caches hold every function, pod and node of the cluster, so what the controller never reads is not kept. The
/// transform may modify and return the object it is given (objects handed to the cache belong to it). An optional
/// sameness test keeps the object held when a new version is the same to every reader (<paramref name="same"/>).
/// </summary>
/// <param name="transform">what is kept of each object</param>
/// <param name="same">
/// whether a new version (trimmed) is the same as the one held, as far as any reader goes: then the cache keeps the one
/// it holds and does not count a change. A Node's periodic status report (every kubelet posts one every 5 minutes
/// whatever changed: ~17 a second across 5,000 Nodes) then leaves the cache, its index and the pass's memos of the Node
/// as they were, and no second version of the Node lives on in the memos until the next pass.
/// </param>
public sealed class ResourceCache<T>(Func<T, T>? transform = null, Func<T, T, bool>? same = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    // Recently removed objects by key, with the uid and resourceVersion they were removed at: a write's response that
    // comes back after the object's deletion was seen (a status patch racing a DELETE) must not bring it back, or the
    // cache would keep a deleted object until the next list. Bounded: cleared when it outgrows RemovedKept (a response
    // that late is long gone by then).
    private const int RemovedKept = 4096;
    private readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string? Uid, string? ResourceVersion)> _removed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _changedKeys = new();
    private readonly Lock _orderGate = new();
    private string[] _orderedKeys = [];
    private T[] _orderedItems = [];
    private bool _ordered;
    private (T[] Listing, Dictionary<string, T> Index) _byKey = ([], new(StringComparer.Ordinal));
    private static readonly (T[] From, T[] To, HashSet<string> Keys) NoChange = ([], [], []);
    private (T[] From, T[] To, HashSet<string> Keys) _lastChange = NoChange;
    private (IReadOnlyDictionary<string, T> From, IReadOnlyDictionary<string, T> To, IReadOnlySet<string> Keys)? _lastIndexChange;
    private (T[] From, T[] To, KeyValuePair<string, T?>[] Changes)? _lastListingChange;
    private bool _listingChangesAsked;
    private int _enqueued; // counts changes, so that the queue's size is looked at once in 1,024 (its Count is not free)

    public static string KeyOf(T item) =>
        item is ICachedIdentity<T> keyed ? keyed.CacheKey : KeyOf(item.Metadata.NamespaceProperty, item.Metadata.Name);

    /// <summary>Its <c>metadata.uid</c> (an object that keeps its own identity is asked without making its metadata).</summary>
    public static string? UidOf(T item) => item is ICachedIdentity<T> kept ? kept.Uid : item.Metadata.Uid;

    /// <summary>Its <c>metadata.resourceVersion</c>, as <see cref="UidOf"/>.</summary>
    public static string? VersionOf(T item) => item is ICachedIdentity<T> kept ? kept.ResourceVersion : item.Metadata?.ResourceVersion;

    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : ns + "/" + name;

    public int Count => _items.Count;

    public T? Get(string key) => _items.GetValueOrDefault(key);

    public T? Get(string? ns, string name) => Get(KeyOf(ns, name));

    public IReadOnlyList<T> List() => [.. _items.Values];

    /// <summary>
    /// Every object, in ordinal order of its key (<c>namespace/name</c>, or the name): the pass's order. The last listing
    /// is kept, and only the keys changed since (added, updated, removed) are looked at: a pass over 15,000 functions
    /// spent ~10 ms sorting them all again, then ~2 ms looking each one up again, though few had changed. The list
    /// returned is never changed afterwards (a listing with nothing changed returns the same one). Kept only once asked
    /// for (most caches are never listed in order).
    /// </summary>
    public IReadOnlyList<T> ListOrderedByKey()
    {
        lock (_orderGate)
        {
            return Ordered();
        }
    }

    /// <summary>
    /// <see cref="ListOrderedByKey"/> with each object's key, index for index: the strings the cache keys them by, for
    /// a caller that would otherwise make each key again (a pass keys its memos of every function by it).
    /// </summary>
    public (IReadOnlyList<string> Keys, IReadOnlyList<T> Items) ListOrderedByKeyWithKeys()
    {
        lock (_orderGate)
        {
            var items = Ordered();
            return (_orderedKeys, items);
        }
    }

    /// <summary>
    /// Every object by key, as <see cref="ListOrderedByKey"/> lists them: the same dictionary while nothing changed (a pass
    /// looks 5,000 Nodes up by name, and built the index again each time), else the last one with the changed keys
    /// written over (on a real cluster every kubelet posts its Node status every 5 minutes: ~17 Nodes a second change
    /// over 5,000, and making the index anew each pass cost 1.3 ms). Never changed once returned.
    /// </summary>
    public IReadOnlyDictionary<string, T> ByKey()
    {
        lock (_orderGate)
        {
            var listing = Ordered();
            if (ReferenceEquals(listing, _byKey.Listing))
            {
                return _byKey.Index;
            }

            var (before, change) = (_byKey, _lastChange);
            Dictionary<string, T> index;
            if (ReferenceEquals(change.From, before.Listing) && ReferenceEquals(change.To, listing) && (change.Keys.Count <= 64 || change.Keys.Count < listing.Length / 4))
            {
                index = new Dictionary<string, T>(before.Index, StringComparer.Ordinal);
                foreach (var key in change.Keys)
                {
                    var at = Array.BinarySearch(_orderedKeys, key, StringComparer.Ordinal);
                    if (at >= 0)
                    {
                        index[key] = listing[at];
                    }
                    else
                    {
                        index.Remove(key);
                    }
                }

                _lastIndexChange = (before.Index, index, change.Keys);
            }
            else
            {
                // The kept keys are the listing's, index for index.
                index = new Dictionary<string, T>(listing.Length, StringComparer.Ordinal);
                for (var i = 0; i < listing.Length; i++)
                {
                    index[_orderedKeys[i]] = listing[i];
                }

                _lastIndexChange = null;
            }

            _byKey = (listing, index);
            return index;
        }
    }

    /// <summary>
    /// The keys whose objects differ between the index <see cref="ByKey"/> returned before <paramref name="index"/> and
    /// <paramref name="index"/> itself (added, replaced, removed; some may have changed back), with that earlier index;
    /// null when it is not known (the index was made afresh, or is not the last one).
    /// </summary>
    public (IReadOnlyDictionary<string, T> Since, IReadOnlySet<string> Keys)? ChangesTo(IReadOnlyDictionary<string, T> index)
    {
        lock (_orderGate)
        {
            return _lastIndexChange is { } change && ReferenceEquals(change.To, index) ? (change.From, change.Keys) : null;
        }
    }

    /// <summary>
    /// What made <paramref name="listing"/> — the last listing <see cref="ListOrderedByKey"/> returned — of the one before
    /// it (<c>Since</c>): each key added, replaced or removed, with its object in <paramref name="listing"/> (null when
    /// removed); null when not known (the listing was sorted afresh, is not the last one, or was made before the first
    /// time this was asked). A pass that keeps what it derived from the earlier listing looks at these keys only. Kept
    /// only once asked for: a cache nobody asks (functions) does not hold on to its last listing and its changes.
    /// </summary>
    public (IReadOnlyList<T> Since, IReadOnlyList<KeyValuePair<string, T?>> Changes)? ListingChangesTo(IReadOnlyList<T> listing)
    {
        lock (_orderGate)
        {
            _listingChangesAsked = true;
            return _lastListingChange is { } change && ReferenceEquals(change.To, listing) ? (change.From, change.Changes) : null;
        }
    }

    // The ordered listing, brought up to date with the keys changed since the last one (under _orderGate).
    private T[] Ordered()
    {
        if (!_ordered)
        {
            _lastListingChange = null;
            // From now on every change is queued; one that lands before the listing below is looked at twice.
            Volatile.Write(ref _ordered, true);
            var all = _items.ToArray();
            Array.Sort(all, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            (_orderedKeys, _orderedItems) = ([.. all.Select(kv => kv.Key)], [.. all.Select(kv => kv.Value)]);
            return _orderedItems;
        }

        if (_changedKeys.IsEmpty)
        {
            return _orderedItems;
        }

        var changed = new HashSet<string>(StringComparer.Ordinal);
        while (_changedKeys.TryDequeue(out var key))
        {
            changed.Add(key);
        }

        var keys = _orderedKeys;
        var items = _orderedItems;
        var added = new List<(int At, string Key, T Item)>();
        var removed = new List<int>();
        T[]? replaced = null;
        var changes = _listingChangesAsked ? new List<KeyValuePair<string, T?>>(changed.Count) : null;
        foreach (var key in changed)
        {
            var at = Array.BinarySearch(keys, key, StringComparer.Ordinal);
            var current = _items.GetValueOrDefault(key);
            if (at >= 0 && current is not null)
            {
                (replaced ??= (T[])items.Clone())[at] = current;
            }
            else if (at >= 0)
            {
                removed.Add(at);
            }
            else if (current is not null)
            {
                added.Add((~at, key, current));
            }
            else
            {
                continue; // added and removed again since the last listing: in neither
            }

            changes?.Add(new(key, current));
        }

        items = replaced ?? items;
        if (added.Count > 0 || removed.Count > 0)
        {
            (keys, items) = Merge(keys, items, added, removed);
        }

        if (!ReferenceEquals(items, _orderedItems))
        {
            // Kept only when the index by key can be patched with it (its listing is the one replaced): a cache never
            // indexed (functions, pods) does not hold on to its last listing and its changed keys.
            _lastChange = ReferenceEquals(_orderedItems, _byKey.Listing) ? (_orderedItems, items, changed) : NoChange;
            _lastListingChange = changes is null ? null : (_orderedItems, items, [.. changes]);
        }

        (_orderedKeys, _orderedItems) = (keys, items);
        return items;
    }

    // The kept order without its removed places, with the added objects at theirs (the place each was searched at, before
    // the kept key there): the runs in between copied as blocks — a stream adds a few objects a pass to 15,000, and
    // writing each element on its own was 4 % of the operator's CPU.
    private static (string[] Keys, T[] Items) Merge(string[] keys, T[] items, List<(int At, string Key, T Item)> added, List<int> removed)
    {
        added.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        removed.Sort();
        var length = keys.Length + added.Count - removed.Count;
        var (mergedKeys, mergedItems) = (new string[length], new T[length]);
        int from = 0, to = 0, a = 0, r = 0;
        while (from < keys.Length || a < added.Count)
        {
            var nextAdded = a < added.Count ? added[a].At : int.MaxValue;
            var nextRemoved = r < removed.Count ? removed[r] : int.MaxValue;
            var run = Math.Min(Math.Min(nextAdded, nextRemoved), keys.Length) - from;
            if (run > 0)
            {
                Array.Copy(keys, from, mergedKeys, to, run);
                Array.Copy(items, from, mergedItems, to, run);
                (from, to) = (from + run, to + run);
            }

            if (nextAdded == from)
            {
                (mergedKeys[to], mergedItems[to]) = (added[a].Key, added[a].Item);
                (to, a) = (to + 1, a + 1);
            }
            else if (nextRemoved == from)
            {
                (from, r) = (from + 1, r + 1);
            }
        }

        return (mergedKeys, mergedItems);
    }

    /// <summary>Keys changed since the last ordered listing, not looked at yet (for tests).</summary>
    internal int KeysAwaitingOrder => _changedKeys.Count;

    // Called after an object is added, replaced or removed under a key (never before: a key dequeued must find the
    // change). A cache that stops being listed in order (a leader that became a standby, its watches still on) must not
    // queue keys for ever: past RemovedKept keys, and more than the cache holds, the kept order is dropped and the next
    // listing sorts.
    private void Changed(string key)
    {
        if (!Volatile.Read(ref _ordered))
        {
            return;
        }

        _changedKeys.Enqueue(key);
        if ((Interlocked.Increment(ref _enqueued) & 1023) == 0 && _changedKeys.Count > RemovedKept && _changedKeys.Count > _items.Count)
        {
            lock (_orderGate)
            {
                Volatile.Write(ref _ordered, false);
                _changedKeys.Clear();
                _lastListingChange = null;
                (_orderedKeys, _orderedItems) = ([], []);
            }
        }
    }

    /// <summary>
    /// Stores the object unless the cache already holds a newer version of it (by resourceVersion, compared as
    /// numbers when both are numbers, as etcd's are) or one the same to its readers (the sameness test given), or removed
    /// this object at the same or a later version. Returns whether the cache changed.
    /// </summary>
    public bool Upsert(T item)
    {
        item = Trim(item);
        var key = KeyOf(item);
        while (true)
        {
            if (!_items.TryGetValue(key, out var current))
            {
                if (_removed.TryGetValue(key, out var removed) && !IsNewer(item, removed))
                {
                    return false;
                }

                if (_items.TryAdd(key, item))
                {
                    _removed.TryRemove(key, out _);
                    Changed(key);
                    return true;
                }

                continue;
            }

            if (ReferenceEquals(current, item) || IsOlder(item, current) || (same is not null && same(current, item)))
            {
                return false;
            }

            if (item is ICachedIdentity<T> kept)
            {
                kept.KeepIdentityOf(current);
            }
            else
            {
                KeepIdentityStrings(item, current);
            }

            if (_items.TryUpdate(key, item, current))
            {
                Changed(key);
                return true;
            }
        }
    }

    /// <summary>
    /// A new version of an object takes the strings of its uid and name from the version it replaces: what the pass
    /// keeps of an object between versions (its memos, keyed by uid or holding its name) then holds one copy, not one
    /// per version seen. The object is not the cache's yet, so changing it is safe.
    /// </summary>
    private static void KeepIdentityStrings(T item, T current)
    {
        var (meta, known) = (item.Metadata, current.Metadata);
        if (ReferenceEquals(meta, known) || meta.Uid != known.Uid)
        {
            return;
        }

        meta.Uid = known.Uid;
        meta.Name = known.Name;
    }

    /// <summary>
    /// Removes the object; <paramref name="deleted"/> is the version its deletion was seen at (a DELETE event's
    /// object), else the version the cache held. An older or equal version of the same object is not stored again.
    /// </summary>
    public bool Remove(string key, T? deleted = null)
    {
        // Remembered before the removal: an Upsert between the two finds the object still there and is judged by version.
        if ((deleted ?? _items.GetValueOrDefault(key)) is { } last)
        {
            Remember(key, last);
        }

        if (!_items.TryRemove(key, out _))
        {
            return false;
        }

        Changed(key);
        return true;
    }

    private void Remember(string key, T last)
    {
        if (_removed.Count >= RemovedKept)
        {
            _removed.Clear();
        }

        _removed[key] = (UidOf(last), VersionOf(last));
    }

    /// <summary>True unless <paramref name="candidate"/> is the removed object at the version it was removed at, or older.</summary>
    private static bool IsNewer(T candidate, (string? Uid, string? ResourceVersion) removed)
    {
        if (!string.Equals(UidOf(candidate), removed.Uid, StringComparison.Ordinal))
        {
            return true; // another object of the same name: created again since
        }

        var version = VersionOf(candidate);
        return CompareVersions(version, removed.ResourceVersion) is { } order
            ? order > 0
            : !string.Equals(version, removed.ResourceVersion, StringComparison.Ordinal);
    }

    /// <summary>
    /// Replaces the whole content (after a list) with objects already trimmed by <see cref="Trim"/> (a list trims each
    /// page as it is decoded); returns the keys that were removed.
    /// </summary>
    public IReadOnlyList<string> Replace(IEnumerable<T> trimmed)
    {
        var fresh = trimmed.ToDictionary(KeyOf, StringComparer.Ordinal);
        var removed = new List<string>();
        foreach (var (key, old) in _items)
        {
            if (!fresh.ContainsKey(key))
            {
                Remember(key, old);
                if (_items.TryRemove(key, out _))
                {
                    removed.Add(key);
                    Changed(key);
                }
            }
        }

        foreach (var (key, item) in fresh)
        {
            _items[key] = item;
            _removed.TryRemove(key, out _);
            Changed(key);
        }

        return removed;
    }

    /// <summary>The object as the cache keeps it (the transform applied; it may be the same object, modified).</summary>
    public T Trim(T item) => transform is null ? item : transform(item);

    private static bool IsOlder(T candidate, T current)
    {
        if (!string.Equals(UidOf(candidate), UidOf(current), StringComparison.Ordinal))
        {
            return false;
        }

        return CompareVersions(VersionOf(candidate), VersionOf(current)) < 0;
    }

    /// <summary>Two resourceVersions compared as numbers, as etcd's are; null when either is not one.</summary>
    private static int? CompareVersions(string? a, string? b) =>
        long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var x) &&
        long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : null;
}
