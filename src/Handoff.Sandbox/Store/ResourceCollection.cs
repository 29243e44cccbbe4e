using System.Globalization;
using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>The objects of one group/resource (all versions, all namespaces), their history and watchers.</summary>
internal sealed class ResourceCollection
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, StoredObject> _items = new(StringComparer.Ordinal);

    /// <summary>The keys of <see cref="_items"/>, for lists that seek to a key (a page after the first).</summary>
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<Watcher> _watchers = [];
    private readonly ObjectStore _store;
    private long _compactedRv;
    private long _latestRv;

    public ResourceCollection(ObjectStore store, string groupResource)
    {
        _store = store;
        GroupResource = groupResource;
    }

    public string GroupResource { get; }

    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? "/" + name : ns + "/" + name;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public StoredObject? Get(string key)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// A consistent snapshot: the matching items (from after <paramref name="startAfter"/>, at most <paramref name="limit"/>),
    /// the list resourceVersion, the last key returned when more match, and how many more (null when a selector filters:
    /// the API server does not say then). <paramref name="atRv"/> (a continue token's) serves the collection as it was at
    /// that version, rebuilt from the kept history, so every page of one list comes from the first page's snapshot as
    /// etcd serves them; 410 Expired when the history no longer reaches back to it (compacted).
    /// </summary>
    public (List<StoredObject> Items, long ResourceVersion, string? LastKey, int? Remaining) List(Query query, string? startAfter = null, int limit = 0, long? atRv = null)
    {
        var result = new List<StoredObject>();
        var countRemaining = query.Labels.IsEmpty && query.Fields.IsEmpty;
        lock (_lock)
        {
            var rv = atRv ?? _store.CurrentResourceVersion;
            if (rv > _store.CurrentResourceVersion)
            {
                throw ApiException.BadRequest($"continue key is not valid: resourceVersion {rv} is newer than the store's");
            }

            if (rv < _compactedRv)
            {
                throw ApiException.Expired(
                    $"the list's snapshot (resourceVersion {rv}) is no longer kept (history starts after {_compactedRv}): start the list again without continue");
            }

            var changed = ChangesAfter(rv);
            string? lastKey = null;
            var more = false;
            foreach (var obj in ItemsAt(changed, startAfter, query.Namespace))
            {
                if (!query.Matches(obj))
                {
                    continue;
                }

                if (limit > 0 && result.Count >= limit)
                {
                    more = true;
                    break;
                }

                result.Add(obj);
                lastKey = obj.Key;
            }

            if (!more)
            {
                return (result, rv, null, null);
            }

            // Counted only without selectors (else the API server does not say); from the keys alone when nothing changed since.
            int? remaining = !countRemaining ? null
                : changed.Count == 0 ? KeysFrom(lastKey, query.Namespace).Count() - 1
                : ItemsAt(changed, lastKey, query.Namespace).Count(query.Matches);
            return (result, rv, lastKey, remaining);
        }
    }

    /// <summary>The first event of each key after <paramref name="rv"/> (none when nothing changed since).</summary>
    private Dictionary<string, WatchEvent> ChangesAfter(long rv)
    {
        var changed = new Dictionary<string, WatchEvent>(StringComparer.Ordinal);
        if (_latestRv > rv)
        {
            foreach (var e in _history)
            {
                if (e.ResourceVersion > rv)
                {
                    changed.TryAdd(e.Object.Key, e);
                }
            }
        }

        return changed;
    }

    /// <summary>
    /// The objects as they were before the <paramref name="changed"/> events (<see cref="ChangesAfter"/>), in key order,
    /// after <paramref name="startAfter"/> (and in <paramref name="ns"/>, when given, as far as the key range goes): an
    /// object changed since is read from its first later event (absent if that created it, else the event's previous
    /// state); one deleted since is merged back in. Needs the lock. A page seeks to its first key, as etcd's range reads
    /// do, rather than walking the collection from its start.
    /// </summary>
    private IEnumerable<StoredObject> ItemsAt(Dictionary<string, WatchEvent> changed, string? startAfter, string? ns)
    {
        StoredObject? At(string key, StoredObject? current) =>
            !changed.TryGetValue(key, out var first) ? current : first.Type == WatchEventType.Added ? null : first.Previous;

        bool After(string key) => startAfter is null || string.CompareOrdinal(key, startAfter) > 0;

        using var gone = changed.Keys.Where(k => !_items.ContainsKey(k) && After(k)).Order(StringComparer.Ordinal).GetEnumerator();
        var hasGone = gone.MoveNext();
        foreach (var key in KeysFrom(startAfter, ns))
        {
            if (!After(key))
            {
                continue;
            }

            for (; hasGone && string.CompareOrdinal(gone.Current, key) < 0; hasGone = gone.MoveNext())
            {
                if (At(gone.Current, null) is { } deleted)
                {
                    yield return deleted;
                }
            }

            if (At(key, _items[key]) is { } obj)
            {
                yield return obj;
            }
        }

        for (; hasGone; hasGone = gone.MoveNext())
        {
            if (At(gone.Current, null) is { } deleted)
            {
                yield return deleted;
            }
        }
    }

    /// <summary>The current keys from <paramref name="startAfter"/> (inclusive) on, within <paramref name="ns"/>'s key range when given.</summary>
    private IEnumerable<string> KeysFrom(string? startAfter, string? ns)
    {
        if (_keys.Count == 0)
        {
            return [];
        }

        // Keys are "namespace/name": a namespace's keys lie between "namespace/" and "namespace0" ('0' follows '/').
        var lower = ns is null ? _keys.Min! : ns + "/";
        if (startAfter is not null && string.CompareOrdinal(startAfter, lower) > 0)
        {
            lower = startAfter;
        }

        var upper = ns is null ? _keys.Max! : ns + "0";
        return string.CompareOrdinal(lower, upper) > 0 ? [] : _keys.GetViewBetween(lower, upper);
    }

    public List<StoredObject> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    private StoredObject Seal(JsonObject node, string key, long rv)
    {
        JsonNodes.Metadata(node)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        JsonNodes.Materialize(node);
        return new StoredObject(node, JsonNodes.ToBytes(node), rv, key);
    }

    private void Publish(WatchEvent e)
    {
        _history.Enqueue(e);
        _latestRv = e.ResourceVersion;
        while (_history.Count > _store.HistoryLimit)
        {
            _compactedRv = _history.Dequeue().ResourceVersion;
        }

        foreach (var w in _watchers)
        {
            w.Offer(e);
        }
    }

    /// <summary>Stores a new object; 409 AlreadyExists if the key is taken.</summary>
    public StoredObject Create(JsonObject node, string key, Func<ApiException> alreadyExists)
    {
        StoredObject stored;
        lock (_lock)
        {
            if (_items.ContainsKey(key))
            {
                throw alreadyExists();
            }

            stored = Seal(node, key, _store.NextResourceVersion());
            _items[key] = stored;
            _keys.Add(key);
            Publish(new WatchEvent(WatchEventType.Added, stored, null));
        }

        _store.Committed(this, WatchEventType.Added, stored, null);
        return stored;
    }

    /// <summary>Replaces the object if its resourceVersion is still <paramref name="expectedRv"/>; null if it changed or is gone.</summary>
    public StoredObject? Update(string key, long expectedRv, JsonObject node, out StoredObject? previous)
    {
        StoredObject stored;
        lock (_lock)
        {
            previous = _items.GetValueOrDefault(key);
            if (previous is null || previous.ResourceVersion != expectedRv)
            {
                return null;
            }

            stored = Seal(node, key, _store.NextResourceVersion());
            _items[key] = stored;
            Publish(new WatchEvent(WatchEventType.Modified, stored, previous));
        }

        _store.Committed(this, WatchEventType.Modified, stored, previous);
        return stored;
    }

    /// <summary>Removes the object if its resourceVersion is still <paramref name="expectedRv"/> (or any when null).</summary>
    public StoredObject? Delete(string key, long? expectedRv)
    {
        StoredObject deleted;
        StoredObject? previous;
        lock (_lock)
        {
            previous = _items.GetValueOrDefault(key);
            if (previous is null || (expectedRv is { } rv && previous.ResourceVersion != rv))
            {
                return null;
            }

            _items.Remove(key);
            _keys.Remove(key);
            var node = previous.CloneNode();
            deleted = Seal(node, key, _store.NextResourceVersion());
            Publish(new WatchEvent(WatchEventType.Deleted, deleted, previous));
        }

        _store.Committed(this, WatchEventType.Deleted, deleted, previous);
        return deleted;
    }

    /// <summary>Opens a watch: from <paramref name="fromRv"/> (replaying kept history), or from now with ADDED for what exists.</summary>
    public Watcher Watch(Query query, long? fromRv, bool sendInitialEvents)
    {
        var watcher = new Watcher(this, query);
        lock (_lock)
        {
            if (fromRv is > 0 && !sendInitialEvents)
            {
                if (fromRv.Value < _compactedRv)
                {
                    watcher.Write(new WatchItem(WatchEventType.Error, null, 0,
                        ApiException.Expired($"too old resource version: {fromRv.Value} ({_compactedRv})")));
                    watcher.Close();
                    return watcher;
                }

                foreach (var e in _history)
                {
                    if (e.ResourceVersion > fromRv.Value)
                    {
                        watcher.Offer(e);
                    }
                }
            }
            else
            {
                foreach (var obj in _items.Values)
                {
                    if (query.Matches(obj))
                    {
                        watcher.Write(new WatchItem(WatchEventType.Added, obj, obj.ResourceVersion));
                    }
                }

                if (sendInitialEvents)
                {
                    watcher.Write(new WatchItem(WatchEventType.Bookmark, null, _store.CurrentResourceVersion, InitialEventsEnd: true));
                }
            }

            _watchers.Add(watcher);
        }

        return watcher;
    }

    internal void Bookmark(Watcher watcher)
    {
        lock (_lock)
        {
            watcher.Write(new WatchItem(WatchEventType.Bookmark, null, _store.CurrentResourceVersion));
        }
    }

    internal void RemoveWatcher(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>Ends every open watch (fault injection, or the resource going away).</summary>
    public int CloseWatchers()
    {
        lock (_lock)
        {
            var n = _watchers.Count;
            foreach (var w in _watchers)
            {
                w.Close();
            }

            _watchers.Clear();
            return n;
        }
    }

    /// <summary>Forgets the history so that every older resourceVersion answers 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedRv = _store.CurrentResourceVersion;
        }
    }
}
