using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Autorest;
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
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(path + new ListRequest(Watch: true, resourceVersion, _timeoutSeconds).Query(), cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceExpiredException(ex.Message);
        }

        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var lines = new WatchLineReader(body);
            while (await lines.ReadLineAsync(cancellationToken) is { } line)
            {
                if (Decode(line.Span) is { } ev)
                {
                    yield return ev;
                }
            }
        }
    }

    /// <summary>One event's object decoded once; an ERROR event (the server's Status) ends the watch.</summary>
    private ResourceWatchEvent<T>? Decode(ReadOnlySpan<byte> line)
    {
        var (type, obj) = WatchEventLine.Read(line);
        if (type == WatchEventType.Error)
        {
            var status = JsonSerializer.Deserialize<V1Status>(line[obj], KubernetesJsonOptions.Value);
            throw status?.Code == (int)HttpStatusCode.Gone
                ? new ResourceExpiredException(status.Message ?? "410 Gone")
                : new IOException($"watch of {Name} failed: {status?.Message ?? "an error event"}");
        }

        var item = JsonSerializer.Deserialize<T>(line[obj], _json);
        return item is null ? null : new ResourceWatchEvent<T>(type, item) { ResourceVersion = item.Metadata?.ResourceVersion };
    }
}

/// <summary>The watch sources the operator uses.</summary>
public static class WatchSources
{
    /// <summary>
    /// Every pod of the cluster, whatever namespace the operator's functions are in: function pods, pods that name Handoff
    /// as their scheduler, and everyone else's pods, whose requests count against Node-backed capacity (as
    /// kube-scheduler watches every pod).
    /// </summary>
    public static IWatchSource<V1Pod> Pods(ApiStreams client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1Pod, V1PodList>("pods", client, "api/v1/pods", timeout);

    /// <param name="json">how each Node is decoded (default: KubernetesClient's own options)</param>
    public static IWatchSource<V1Node> Nodes(ApiStreams client, TimeSpan timeout, JsonSerializerOptions? json = null) =>
        new KubernetesWatchSource<V1Node, V1NodeList>("nodes", client, "api/v1/nodes", timeout, json);

    public static IWatchSource<V1PriorityClass> PriorityClasses(ApiStreams client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1PriorityClass, V1PriorityClassList>("priorityclasses", client, "apis/scheduling.k8s.io/v1/priorityclasses", timeout);

    /// <summary>Namespaces with their labels: a HandoffQueue's namespaceSelector matches them.</summary>
    public static IWatchSource<V1Namespace> Namespaces(ApiStreams client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1Namespace, V1NamespaceList>("namespaces", client, "api/v1/namespaces", timeout);

    public static IWatchSource<HandoffQueue> HandoffQueues(IKubernetes client, TimeSpan timeout) =>
        new CustomResourceWatchSource<HandoffQueue>(
            HandoffApi.QueueKind, HandoffApi.QueuePlural,
            (r, ct) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
                HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit,
                resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct),
            timeout);

    public static IWatchSource<HandoffNode> HandoffNodes(IKubernetes client, TimeSpan timeout) =>
        new CustomResourceWatchSource<HandoffNode>(
            HandoffApi.NodeKind, HandoffApi.NodePlural,
            (r, ct) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
                HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit,
                resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct),
            timeout);

    /// <param name="json">how each function is decoded (default: KubernetesClient's own options)</param>
    public static IWatchSource<HandoffFunction> HandoffFunctions(IKubernetes client, string watchNamespace, TimeSpan timeout, JsonSerializerOptions? json = null) =>
        new CustomResourceWatchSource<HandoffFunction>(
            HandoffApi.FunctionKind, HandoffApi.FunctionPlural,
            (r, ct) => string.IsNullOrEmpty(watchNamespace)
                ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
                    HandoffApi.Group, HandoffApi.Version, HandoffApi.FunctionPlural, allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit,
                    resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct)
                : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                    HandoffApi.Group, HandoffApi.Version, watchNamespace, HandoffApi.FunctionPlural,
                    allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch,
                    cancellationToken: ct),
            timeout,
            json);
}
