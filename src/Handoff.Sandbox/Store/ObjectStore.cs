using System.Collections.Concurrent;

namespace Handoff.Sandbox.Store;

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

    /// <summary>Where the object with <paramref name="uid"/> is stored, if it exists.</summary>
    public (ResourceCollection Collection, StoredObject Object)? Locate(string uid) =>
        _byUid.TryGetValue(uid, out var entry) && entry.Collection.Get(entry.Key) is { } obj ? (entry.Collection, obj) : null;

    public StoredObject? ByUid(string uid) =>
        _byUid.TryGetValue(uid, out var entry) ? entry.Collection.Get(entry.Key) : null;

    /// <summary>Objects whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    public List<(ResourceCollection Collection, string Key)> Dependents(string ownerUid) =>
        _dependents.TryGetValue(ownerUid, out var set) ? [.. set.Keys] : [];

    /// <summary>
    /// Raised after every commit, outside the collection's lock, on the writer's thread: the in-process informer the
    /// controllers use. Handlers must be quick (enqueue work) or idempotent when they write (a write raises it again).
    /// </summary>
    public event Action<StoreChange>? Changed;

    internal void Committed(ResourceCollection collection, WatchEventType type, StoredObject obj, StoredObject? previous)
    {
        Index(collection, previous, type == WatchEventType.Deleted ? null : obj);
        Changed?.Invoke(new StoreChange(collection, type, obj, previous));
    }

    private void Index(ResourceCollection collection, StoredObject? before, StoredObject? after)
    {
        if (before is not null)
        {
            foreach (var owner in ObjectMeta.OwnerUids(before.Node))
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
            foreach (var owner in ObjectMeta.OwnerUids(after.Node))
            {
                _dependents.GetOrAdd(owner, static _ => new()).TryAdd((collection, after.Key), 0);
            }
        }
    }
}
