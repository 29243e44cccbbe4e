using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Handoff.Sandbox.Store;

/// <summary>A committed version of an object. Never mutated after it is stored.</summary>
internal sealed class StoredObject
{
    public StoredObject(JsonObject node, byte[] json, long resourceVersion, string key)
    {
        Node = node;
        Json = json;
        ResourceVersion = resourceVersion;
        Key = key;
    }

    /// <summary>The object; read-only by convention (fully materialized, safe for concurrent readers).</summary>
    public JsonObject Node { get; }

    /// <summary>The object as UTF-8 JSON, ready to be written to responses.</summary>
    public byte[] Json { get; }

    public long ResourceVersion { get; }

    public string Key { get; }

    public string Name => Store.Jn.ScalarText(Store.Jn.At(Node, "metadata", "name"));

    public string Namespace => Store.Jn.ScalarText(Store.Jn.At(Node, "metadata", "namespace"));

    public string Uid => Store.Jn.ScalarText(Store.Jn.At(Node, "metadata", "uid"));

    /// <summary>A fresh mutable copy.</summary>
    public JsonObject CloneNode() => Store.Jn.ParseObject(Json);
}

internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

/// <summary>A change in a collection's history.</summary>
internal sealed class WatchEvent(WatchEventType type, StoredObject obj, StoredObject? previous)
{
    public WatchEventType Type { get; } = type;

    public StoredObject Object { get; } = obj;

    /// <summary>The state before a modification (for selector transitions).</summary>
    public StoredObject? Previous { get; } = previous;

    public long ResourceVersion => Object.ResourceVersion;
}

/// <summary>What a watcher's stream carries.</summary>
internal readonly record struct WatchItem(WatchEventType Type, StoredObject? Object, long ResourceVersion, ApiException? Error = null, bool InitialEventsEnd = false)
{
    public static string TypeName(WatchEventType type) => type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        WatchEventType.Deleted => "DELETED",
        WatchEventType.Bookmark => "BOOKMARK",
        _ => "ERROR",
    };
}

/// <summary>The parameters of a watch or list.</summary>
internal sealed record Query(string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public static Query All { get; } = new(null, LabelSelector.Everything, FieldSelector.Everything);

    public bool Matches(StoredObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) && Labels.Matches(Jn.Labels(obj.Node)) && Fields.Matches(obj.Node);
}

/// <summary>One open watch on a collection.</summary>
internal sealed class Watcher : IDisposable
{
    private const int MaxBacklog = 100_000;
    private readonly Channel<WatchItem> _channel = Channel.CreateUnbounded<WatchItem>();
    private readonly ResourceCollection _owner;

    public Watcher(ResourceCollection owner, Query query)
    {
        _owner = owner;
        Query = query;
    }

    public Query Query { get; }

    public ChannelReader<WatchItem> Reader => _channel.Reader;

    internal void Write(WatchItem item)
    {
        if (_channel.Reader.Count > MaxBacklog)
        {
            // A reader this far behind is dropped, as the API server drops slow watchers; clients re-watch.
            _channel.Writer.TryComplete();
            return;
        }

        _channel.Writer.TryWrite(item);
    }

    internal void Offer(WatchEvent e)
    {
        var matchesNew = Query.Matches(e.Object);
        switch (e.Type)
        {
            case WatchEventType.Added when matchesNew:
                Write(new WatchItem(WatchEventType.Added, e.Object, e.ResourceVersion));
                break;
            case WatchEventType.Deleted when matchesNew:
                Write(new WatchItem(WatchEventType.Deleted, e.Object, e.ResourceVersion));
                break;
            case WatchEventType.Modified:
                var matchesOld = e.Previous is not null && Query.Matches(e.Previous);
                if (matchesNew)
                {
                    Write(new WatchItem(matchesOld ? WatchEventType.Modified : WatchEventType.Added, e.Object, e.ResourceVersion));
                }
                else if (matchesOld)
                {
                    Write(new WatchItem(WatchEventType.Deleted, e.Object, e.ResourceVersion));
                }

                break;
        }
    }

    public void Bookmark() => _owner.Bookmark(this);

    /// <summary>Ends the stream (the HTTP response then ends).</summary>
    public void Close() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        Close();
        _owner.RemoveWatcher(this);
    }
}

/// <summary>The objects of one group/resource (all versions, all namespaces), their history and watchers.</summary>
internal sealed class ResourceCollection
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, StoredObject> _items = new(StringComparer.Ordinal);
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<Watcher> _watchers = [];
    private readonly ObjectStore _store;
    private long _compactedRv;

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

    /// <summary>A consistent snapshot: the matching items (from after <paramref name="startAfter"/>, at most <paramref name="limit"/>) and the list resourceVersion.</summary>
    public (List<StoredObject> Items, long ResourceVersion, string? LastKey, int Remaining) List(Query query, string? startAfter = null, int limit = 0)
    {
        var result = new List<StoredObject>();
        lock (_lock)
        {
            var rv = _store.CurrentResourceVersion;
            string? lastKey = null;
            var remaining = 0;
            foreach (var (key, obj) in _items)
            {
                if (startAfter is not null && string.CompareOrdinal(key, startAfter) <= 0)
                {
                    continue;
                }

                if (!query.Matches(obj))
                {
                    continue;
                }

                if (limit > 0 && result.Count >= limit)
                {
                    remaining++;
                    continue;
                }

                result.Add(obj);
                lastKey = key;
            }

            return (result, rv, remaining > 0 ? lastKey : null, remaining);
        }
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
        Jn.Metadata(node)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        Jn.Materialize(node);
        return new StoredObject(node, Jn.ToBytes(node), rv, key);
    }

    private void Publish(WatchEvent e)
    {
        _history.Enqueue(e);
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
            Publish(new WatchEvent(WatchEventType.Added, stored, null));
        }

        _store.Indexed(this, null, stored);
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

        _store.Indexed(this, previous, stored);
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
            var node = previous.CloneNode();
            deleted = Seal(node, key, _store.NextResourceVersion());
            Publish(new WatchEvent(WatchEventType.Deleted, deleted, previous));
        }

        _store.Indexed(this, previous, null);
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

/// <summary>All collections, the global resourceVersion counter and the uid/owner indexes.</summary>
internal sealed class ObjectStore
{
    private readonly ConcurrentDictionary<string, ResourceCollection> _collections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ResourceCollection Collection, string Key)> _byUid = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(ResourceCollection, string), byte>> _dependents = new(StringComparer.Ordinal);
    private long _resourceVersion;

    public ObjectStore(int historyLimit) => HistoryLimit = historyLimit;

    public int HistoryLimit { get; }

    public long CurrentResourceVersion => Interlocked.Read(ref _resourceVersion);

    public long NextResourceVersion() => Interlocked.Increment(ref _resourceVersion);

    public ResourceCollection Collection(string groupResource) =>
        _collections.GetOrAdd(groupResource, static (gr, store) => new ResourceCollection(store, gr), this);

    public IEnumerable<ResourceCollection> Collections => _collections.Values;

    public bool TryRemoveCollection(string groupResource, out ResourceCollection? collection) =>
        _collections.TryRemove(groupResource, out collection);

    public bool UidExists(string uid) => _byUid.ContainsKey(uid);

    public StoredObject? ByUid(string uid) =>
        _byUid.TryGetValue(uid, out var entry) ? entry.Collection.Get(entry.Key) : null;

    /// <summary>Objects whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    public List<(ResourceCollection Collection, string Key)> Dependents(string ownerUid) =>
        _dependents.TryGetValue(ownerUid, out var set) ? [.. set.Keys] : [];

    internal void Indexed(ResourceCollection collection, StoredObject? before, StoredObject? after)
    {
        if (before is not null)
        {
            foreach (var owner in OwnerUids(before.Node))
            {
                if (_dependents.TryGetValue(owner, out var set))
                {
                    set.TryRemove((collection, before.Key), out _);
                }
            }

            if (after is null)
            {
                _byUid.TryRemove(before.Uid, out _);
            }
        }

        if (after is not null)
        {
            _byUid[after.Uid] = (collection, after.Key);
            foreach (var owner in OwnerUids(after.Node))
            {
                _dependents.GetOrAdd(owner, static _ => new()).TryAdd((collection, after.Key), 0);
            }
        }
    }

    public static IEnumerable<string> OwnerUids(JsonObject node)
    {
        if (Jn.At(node, "metadata", "ownerReferences") is JsonArray refs)
        {
            foreach (var r in refs)
            {
                if (Jn.GetString(r, "uid") is { Length: > 0 } uid)
                {
                    yield return uid;
                }
            }
        }
    }

    public static string EncodeContinue(long rv, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rv.ToString(CultureInfo.InvariantCulture)}|{lastKey}"));

    public static string DecodeContinue(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            return bar < 0 ? throw new FormatException() : text[(bar + 1)..];
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
