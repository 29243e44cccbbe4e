using k8s;

namespace Handoff.Operator.Infrastructure;

/// <summary>What a <see cref="ResourceWatcher{T}"/> needs from the API server: list, and watch from a resourceVersion.</summary>
public interface IWatchSource<T>
{
    /// <summary>Human-readable name for logs (e.g. "pods").</summary>
    string Name { get; }

    Task<ResourceListResult<T>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Streams events after <paramref name="resourceVersion"/>. Ends normally when the server closes the
    /// watch; throws <see cref="ResourceExpiredException"/> when the version is too old (410 Gone).
    /// </summary>
    IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}

/// <summary>A list: the objects decoded, and those that could not be (<see cref="Invalid"/>).</summary>
public sealed record ResourceListResult<T>(IReadOnlyList<T> Items, string ResourceVersion)
{
    public IReadOnlyList<InvalidObject> Invalid { get; init; } = [];
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

/// <summary>The API server answered 410 Gone: the resourceVersion is no longer in its history; re-list.</summary>
public sealed class ResourceExpiredException(string message) : Exception(message);
