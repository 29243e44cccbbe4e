using k8s;

namespace Handoff.Operator.Infrastructure;

/// <summary>What a <see cref="ResourceWatcher{T}"/> needs from the API server: list, and watch from a resourceVersion.</summary>
public interface IWatchSource<T>
{
    /// <summary>Human-readable name for logs (e.g. "pods").</summary>
    string Name { get; }

    /// <summary>
    /// Lists in pages of at most <paramref name="pageSize"/> objects (<c>limit</c> and <c>continue</c>, as client-go's
    /// pager; 0 = one unpaged request) until the server gives no continue token. Each page is decoded on its own and
    /// its objects handed to <paramref name="transform"/> at once, so a list never holds more than one page of objects
    /// as the server sent them. Every page of one list comes from one snapshot: the last page's resourceVersion is the
    /// one to watch from. Throws <see cref="ResourceExpiredException"/> when the server no longer accepts a continue
    /// token (410 Gone): the list must start again.
    /// </summary>
    IAsyncEnumerable<ResourceListPage<T>> ListAsync(int pageSize, Func<T, T> transform, CancellationToken cancellationToken);

    /// <summary>
    /// Streams events after <paramref name="resourceVersion"/>. Ends normally when the server closes the
    /// watch; throws <see cref="ResourceExpiredException"/> when the version is too old (410 Gone).
    /// </summary>
    IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}

/// <summary>
/// One page of a list: the objects decoded (already transformed), those that could not be (<see cref="Invalid"/>), the
/// list's resourceVersion and the token of the next page (null on the last).
/// </summary>
public sealed record ResourceListPage<T>(IReadOnlyList<T> Items, string ResourceVersion)
{
    public IReadOnlyList<InvalidObject> Invalid { get; init; } = [];

    public string? Continue { get; init; }
}

/// <summary>
/// A watch event; for <see cref="WatchEventType.Bookmark"/> only the object's resourceVersion is meaningful. When the
/// object could not be decoded, <see cref="Object"/> is null and <see cref="Invalid"/> says which and why.
/// </summary>
public sealed record ResourceWatchEvent<T>(WatchEventType Type, T? Object)
{
    public InvalidObject? Invalid { get; init; }

    /// <summary>The event's resourceVersion (of the object, or of the undecodable one).</summary>
    public string? ResourceVersion { get; init; }
}

/// <summary>
/// The API server answered 410 Gone: the resourceVersion to watch from, or the snapshot a continue token reads, is no
/// longer in its history; list again from the start.
/// </summary>
public sealed class ResourceExpiredException(string message) : Exception(message);
