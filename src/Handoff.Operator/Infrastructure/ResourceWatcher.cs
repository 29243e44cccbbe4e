using System.Collections.Concurrent;
using Handoff.Core;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// An informer: lists (in pages of <see cref="ListPageSize"/>, each trimmed as it arrives), then watches from the
/// list's resourceVersion, keeping a <see cref="ResourceCache{T}"/> current. A watch that ends is renewed from the last
/// seen resourceVersion; 410 Gone triggers a re-list; any other error backs off (exponentially, capped) and retries.
/// Every <c>resyncPeriod</c> all cached objects are handed to the handlers again. Handlers must be cheap (they
/// typically enqueue a key).
/// </summary>
public sealed class ResourceWatcher<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IWatchSource<T> _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _resyncPeriod;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ExponentialBackoff _backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
    private readonly ConcurrentDictionary<string, InvalidObject> _invalid = new(StringComparer.Ordinal);

    /// <param name="same">whether a new version is the same as the cached one to every reader: the cache keeps the one it holds, and no handler is told (see <see cref="ResourceCache{T}"/>)</param>
    public ResourceWatcher(IWatchSource<T> source, TimeProvider time, TimeSpan resyncPeriod, ILogger logger, Func<T, T>? transform = null, Func<T, T, bool>? same = null)
    {
        _source = source;
        _time = time;
        _resyncPeriod = resyncPeriod;
        _logger = logger;
        Cache = new ResourceCache<T>(transform, same);
    }

    /// <summary>The objects, trimmed by the transform given to the constructor.</summary>
    public ResourceCache<T> Cache { get; }

    /// <summary>
    /// Called with each added, modified or deleted object the cache stored or removed, and on each resync (as Modified).
    /// </summary>
    public event Action<WatchEventType, T>? Changed;

    /// <summary>Called on every error talking to the API server (for metrics).</summary>
    public event Action<Exception>? Error;

    /// <summary>Called when the set of undecodable objects changed.</summary>
    public event Action? InvalidChanged;

    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The objects of this kind that could not be decoded (kept out of the cache) — reported, never fatal.</summary>
    public IReadOnlyCollection<InvalidObject> Invalid => [.. _invalid.Values];

    /// <summary>
    /// Objects per list request (<c>limit</c>, as client-go's pager); 0 = one unpaged list. A list that expires mid-way
    /// (its continue token's snapshot compacted) starts again from the first page; if that one expires too, the next is
    /// one unpaged request, as client-go falls back to a full list, so a list slower than the server's compaction
    /// window still ends.
    /// </summary>
    public int ListPageSize { get; init; } = ListPager.DefaultPageSize;

    /// <summary>Number of completed lists (1 after the first sync; more after 410 Gone or errors).</summary>
    public int ListCount { get; private set; }

    /// <summary>Completes once the first list has been stored in the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var resync = _resyncPeriod > TimeSpan.Zero
            ? _time.CreateTimer(_ => Resync(), null, _resyncPeriod, _resyncPeriod)
            : null;
        var failures = 0;
        var expiredLists = 0;
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await ListAsync(PageSizeAfter(expiredLists), cancellationToken);
                    expiredLists = 0;
                    ListCount++;
                    failures = 0;
                    _synced.TrySetResult();
                }

                await foreach (var ev in _source.WatchAsync(resourceVersion, cancellationToken))
                {
                    failures = 0;
                    resourceVersion = Apply(ev) ?? resourceVersion;
                }

                // The server closed the watch (timeout or disconnect): renew it from where we are.
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ResourceExpiredException ex) when (resourceVersion is null)
            {
                // A continue token expired mid-list: the pages read belong to a snapshot that cannot be finished.
                expiredLists++;
                Log.ListExpired(_logger, _source.Name, ex.Message, PageSizeAfter(expiredLists));
            }
            catch (ResourceExpiredException ex)
            {
                Log.WatchExpired(_logger, _source.Name, ex.Message);
                resourceVersion = null;
            }
            catch (Exception ex)
            {
                Error?.Invoke(ex);
                var delay = Backoff(failures++);
                Log.WatchFailed(_logger, ex, _source.Name, delay);
                if (failures > 3)
                {
                    // Persistent trouble: start over from a fresh list once the API is back.
                    resourceVersion = null;
                }

                try
                {
                    await Task.Delay(delay, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private TimeSpan Backoff(int failures) => _backoff.For(failures + 1);

    private int PageSizeAfter(int expiredLists) => expiredLists >= 2 ? 0 : ListPageSize;

    /// <summary>
    /// Lists page by page into the cache; returns the resourceVersion to watch from (the last page's: all pages share
    /// one snapshot). Each page's objects arrive trimmed by the cache's transform, so the list holds only what the cache
    /// keeps, plus the page being decoded; the cache is replaced once the whole list is in (objects missing from it are
    /// removed), and the undecodable objects of every page are reported.
    /// </summary>
    private async Task<string> ListAsync(int pageSize, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var invalid = new List<InvalidObject>();
        var resourceVersion = "";
        await foreach (var page in _source.ListAsync(pageSize, Cache.Trim, cancellationToken))
        {
            items.AddRange(page.Items);
            invalid.AddRange(page.Invalid);
            resourceVersion = page.ResourceVersion;
        }

        Store(items);
        _invalid.Clear();
        foreach (var problem in invalid)
        {
            NoteInvalid(problem);
        }

        return resourceVersion;
    }

    private void NoteInvalid(InvalidObject invalid)
    {
        var key = ResourceCache<T>.KeyOf(invalid.Namespace, invalid.Name);
        _invalid[key] = invalid;

        // The cache keeps no older version of it: what the API holds now is not what the cache would say.
        if (Cache.Get(key) is { } stale && Cache.Remove(key))
        {
            Changed?.Invoke(WatchEventType.Deleted, stale);
        }

        Log.InvalidObject(_logger, invalid.Kind, key, invalid.Problem);
        InvalidChanged?.Invoke();
    }
    private void Store(IReadOnlyList<T> items)
    {
        var removed = new List<T>();
        foreach (var old in Cache.List())
        {
            removed.Add(old);
        }

        var removedKeys = Cache.Replace(items).ToHashSet(StringComparer.Ordinal);
        foreach (var old in removed.Where(o => removedKeys.Contains(ResourceCache<T>.KeyOf(o))))
        {
            Changed?.Invoke(WatchEventType.Deleted, old);
        }

        foreach (var item in items)
        {
            Changed?.Invoke(WatchEventType.Modified, item);
        }
    }

    private string? Apply(ResourceWatchEvent<T> ev)
    {
        if (ev.Invalid is { } invalid)
        {
            if (ev.Type == WatchEventType.Deleted)
            {
                _invalid.TryRemove(ResourceCache<T>.KeyOf(invalid.Namespace, invalid.Name), out _);
                InvalidChanged?.Invoke();
            }
            else
            {
                NoteInvalid(invalid);
            }

            return string.IsNullOrEmpty(ev.ResourceVersion) ? null : ev.ResourceVersion;
        }

        if (ev.Object is null)
        {
            return ev.ResourceVersion;
        }

        if (ev.Type != WatchEventType.Bookmark && _invalid.TryRemove(ResourceCache<T>.KeyOf(ev.Object), out _))
        {
            InvalidChanged?.Invoke();
        }

        var rv = ResourceCache<T>.VersionOf(ev.Object);
        switch (ev.Type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                if (Cache.Upsert(ev.Object))
                {
                    Changed?.Invoke(ev.Type, ev.Object);
                }

                break;
            case WatchEventType.Deleted:
                Cache.Remove(ResourceCache<T>.KeyOf(ev.Object), ev.Object);
                Changed?.Invoke(ev.Type, ev.Object);
                break;
            case WatchEventType.Bookmark:
                break;
            default:
                return null;
        }

        return string.IsNullOrEmpty(rv) ? null : rv;
    }

    private void Resync()
    {
        foreach (var item in Cache.List())
        {
            Changed?.Invoke(WatchEventType.Modified, item);
        }
    }
}
