using System.Text.Json;
using Handoff.Api.V1Alpha1;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>The watch sources the operator uses.</summary>
public static class WatchSources
{
    /// <summary>
    /// Every pod of the cluster, whatever namespace the operator's functions are in: function pods, pods that name Handoff
    /// as their scheduler, and everyone else's pods, whose requests count against Node-backed capacity (as
    /// kube-scheduler watches every pod).
    /// </summary>
    /// <param name="json">how each pod is decoded (default: KubernetesClient's own options)</param>
    public static IWatchSource<V1Pod> Pods(ApiStreams client, TimeSpan timeout, JsonSerializerOptions? json = null) =>
        new KubernetesWatchSource<V1Pod, V1PodList>("pods", client, "api/v1/pods", timeout, json);

    /// <param name="json">how each Node is decoded (default: KubernetesClient's own options)</param>
    public static IWatchSource<V1Node> Nodes(ApiStreams client, TimeSpan timeout, JsonSerializerOptions? json = null) =>
        new KubernetesWatchSource<V1Node, V1NodeList>("nodes", client, "api/v1/nodes", timeout, json);

    public static IWatchSource<V1PriorityClass> PriorityClasses(ApiStreams client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1PriorityClass, V1PriorityClassList>("priorityclasses", client, "apis/scheduling.k8s.io/v1/priorityclasses", timeout);

    /// <summary>Namespaces with their labels: a HandoffQueue's namespaceSelector matches them.</summary>
    public static IWatchSource<V1Namespace> Namespaces(ApiStreams client, TimeSpan timeout) =>
        new KubernetesWatchSource<V1Namespace, V1NamespaceList>("namespaces", client, "api/v1/namespaces", timeout);

    public static IWatchSource<HandoffQueue> HandoffQueues(ApiStreams client, TimeSpan timeout) =>
        new CustomResourceWatchSource<HandoffQueue>(HandoffApi.QueueKind, HandoffApi.QueuePlural, client, CustomResourcePath(HandoffApi.QueuePlural), timeout);

    public static IWatchSource<HandoffNode> HandoffNodes(ApiStreams client, TimeSpan timeout) =>
        new CustomResourceWatchSource<HandoffNode>(HandoffApi.NodeKind, HandoffApi.NodePlural, client, CustomResourcePath(HandoffApi.NodePlural), timeout);

    /// <param name="watchNamespace">the functions' namespace; empty: every namespace</param>
    /// <param name="json">how each function is decoded (default: KubernetesClient's own options)</param>
    public static IWatchSource<HandoffFunction> HandoffFunctions(ApiStreams client, string watchNamespace, TimeSpan timeout, JsonSerializerOptions? json = null) =>
        new CustomResourceWatchSource<HandoffFunction>(
            HandoffApi.FunctionKind, HandoffApi.FunctionPlural, client, CustomResourcePath(HandoffApi.FunctionPlural, watchNamespace), timeout, json);

    private static string CustomResourcePath(string plural, string? watchNamespace = null) =>
        string.IsNullOrEmpty(watchNamespace)
            ? $"apis/{HandoffApi.Group}/{HandoffApi.Version}/{plural}"
            : $"apis/{HandoffApi.Group}/{HandoffApi.Version}/namespaces/{Uri.EscapeDataString(watchNamespace)}/{plural}";
}
