using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>An <see cref="IWatchSource{T}"/> over the real KubernetesClient: a list call and the same call with watch=true.</summary>
public sealed class KubernetesWatchSource<T, TList> : IWatchSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    /// <summary>The list call (a page of the list, or its watch) → its response.</summary>
    private readonly Func<ListRequest, CancellationToken, Task<HttpOperationResponse<TList>>> _call;
    private readonly int _timeoutSeconds;

    public KubernetesWatchSource(
        string name,
        Func<ListRequest, CancellationToken, Task<HttpOperationResponse<TList>>> call,
        TimeSpan watchTimeout)
    {
        Name = name;
        _call = call;
        _timeoutSeconds = Math.Max(1, (int)watchTimeout.TotalSeconds);
    }

    public string Name { get; }

    public IAsyncEnumerable<ResourceListPage<T>> ListAsync(int pageSize, Func<T, T> transform, CancellationToken cancellationToken) =>
        ListPager.PagesAsync(pageSize, (request, ct) => PageAsync(request, transform, ct), cancellationToken);

    /// <summary>One page: the typed list is dropped once its items are transformed.</summary>
    private async Task<ResourceListPage<T>> PageAsync(ListRequest request, Func<T, T> transform, CancellationToken cancellationToken)
    {
        using var response = await _call(request, cancellationToken);
        var list = response.Body;
        return new ResourceListPage<T>([.. (list.Items ?? []).Select(transform)], list.Metadata?.ResourceVersion ?? "")
        {
            Continue = list.Metadata?.ContinueProperty,
        };
    }

    public async IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(
        string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? streamError = null;
        Task<HttpOperationResponse<TList>> request;
        try
        {
            request = _call(new ListRequest(Watch: true, resourceVersion, _timeoutSeconds), cancellationToken);
            await request;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceExpiredException(ex.Message);
        }

        // The response-based watch of KubernetesClient 21 (marked obsolete in favour of untyped per-resource
        // helpers) is the one that deserializes typed objects for both built-in and custom resources.
#pragma warning disable CS0618
        var events = request.WatchAsync<T, TList>(ex => streamError ??= ex, cancellationToken);
#pragma warning restore CS0618
        await foreach (var (type, item) in events.WithCancellation(cancellationToken))
        {
            if (streamError is not null)
            {
                break;
            }

            if (type == WatchEventType.Error || item is null)
            {
                continue;
            }

            yield return new ResourceWatchEvent<T>(type, item) { ResourceVersion = item.Metadata?.ResourceVersion };
        }

        switch (streamError)
        {
            case null:
                yield break;
            case KubernetesException { Status.Code: (int)HttpStatusCode.Gone } gone:
                throw new ResourceExpiredException(gone.Status.Message ?? "410 Gone");
            default:
                throw new IOException($"watch of {Name} failed: {streamError.Message}", streamError);
        }
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
    public static IWatchSource<V1Pod> Pods(IKubernetes client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1Pod, V1PodList>(
            "pods",
            (r, ct) => client.CoreV1.ListPodForAllNamespacesWithHttpMessagesAsync(
                allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch,
                cancellationToken: ct),
            timeout);

    public static IWatchSource<V1Node> Nodes(IKubernetes client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1Node, V1NodeList>(
            "nodes",
            (r, ct) => client.CoreV1.ListNodeWithHttpMessagesAsync(
                allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch,
                cancellationToken: ct),
            timeout);

    public static IWatchSource<V1PriorityClass> PriorityClasses(IKubernetes client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1PriorityClass, V1PriorityClassList>(
            "priorityclasses",
            (r, ct) => client.SchedulingV1.ListPriorityClassWithHttpMessagesAsync(
                allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch,
                cancellationToken: ct),
            timeout);

    /// <summary>Namespaces with their labels: a HandoffQueue's namespaceSelector matches them.</summary>
    public static IWatchSource<V1Namespace> Namespaces(IKubernetes client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1Namespace, V1NamespaceList>(
            "namespaces",
            (r, ct) => client.CoreV1.ListNamespaceWithHttpMessagesAsync(
                allowWatchBookmarks: r.Bookmarks, continueParameter: r.Continue, limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch,
                cancellationToken: ct),
            timeout);

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
