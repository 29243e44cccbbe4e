using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// An <see cref="IWatchSource{T}"/> for a built-in kind: a list GET (a page at a time) and the same GET with
/// <c>watch=true</c>, both sent through KubernetesClient's pipeline (<see cref="ApiStreams"/>) and decoded from
/// the response's UTF-8 — a list page from the response stream, each watch event once, from its line in a
/// reused buffer (<see cref="WatchLineReader"/>). <paramref name="json"/> says how objects are decoded: the Nodes' cache
/// decodes only the fields it keeps (CacheTransforms.NodeJson).
/// </summary>
/// <param name="path">the resource's path, relative to the API server's base URI (<c>api/v1/nodes</c>)</param>
public sealed class KubernetesWatchSource<T, TList>(
    string name, ApiStreams client, string path, TimeSpan watchTimeout, JsonSerializerOptions? json = null) : IWatchSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    private readonly int _timeoutSeconds = Math.Max(1, (int)watchTimeout.TotalSeconds);
    private readonly JsonSerializerOptions _json = json ?? KubernetesJsonOptions.Value;

    public string Name { get; } = name;

    public IAsyncEnumerable<ResourceListPage<T>> ListAsync(int pageSize, Func<T, T> transform, CancellationToken cancellationToken) =>
        ListPager.PagesAsync(pageSize, (request, ct) => PageAsync(request, transform, ct), cancellationToken);

    /// <summary>One page, decoded from its bytes: the typed list is dropped once its items are transformed.</summary>
    private async Task<ResourceListPage<T>> PageAsync(ListRequest request, Func<T, T> transform, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path + request.Query(), cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        // Synchronously, as KubernetesClient's own list calls decode: DeserializeAsync makes the Native AOT compiler
        // build the async decode machinery for every one of KubernetesClient's thousands of model types (8 MB more
        // image, most of it touched at start); and not read whole into a pooled buffer first, which the pool then keeps.
        var list = JsonSerializer.Deserialize<TList>(body, _json) ?? throw new JsonException($"the list of {Name} is empty");
        return new ResourceListPage<T>([.. (list.Items ?? []).Select(transform)], list.Metadata?.ResourceVersion ?? "")
        {
            Continue = list.Metadata?.ContinueProperty,
        };
    }

    public async IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(
        string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, obj) in WatchStream.EventsAsync(client, path, resourceVersion, _timeoutSeconds, Name, cancellationToken))
        {
            // Each event's object decoded once, from its bytes.
            if (JsonSerializer.Deserialize<T>(obj.Span, _json) is { } item)
            {
                yield return new ResourceWatchEvent<T>(type, item) { ResourceVersion = item.Metadata?.ResourceVersion };
            }
        }
    }
}
