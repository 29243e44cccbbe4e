using System.Net;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Cli.Cluster;

/// <summary>Lists what <see cref="LiveCluster"/> holds, turning API errors into messages a user can act on.</summary>
internal static class ClusterReader
{
    public static async Task<LiveCluster> ReadAsync(IKubernetes client, TimeProvider time, CancellationToken cancellationToken)
    {
        var handoffNodes = Call("list HandoffNodes", client, () => client.CustomObjects.ListClusterCustomObjectAsync<HandoffNodeList>(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: cancellationToken));
        var functions = Call("list HandoffFunctions", client, () => client.CustomObjects.ListClusterCustomObjectAsync<HandoffFunctionList>(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.FunctionPlural, cancellationToken: cancellationToken));
        var nodes = Call("list Nodes", client, () => client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken));
        // Every pod: what other workloads hold counts on Node-backed HandoffNodes, as it does for the operator.
        var pods = Call("list pods", client, () => client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: cancellationToken));
        var queues = QueuesAsync(client, cancellationToken);
        var classes = Call("list PriorityClasses", client, () => client.SchedulingV1.ListPriorityClassAsync(cancellationToken: cancellationToken));
        var namespaces = Call("list Namespaces", client, () => client.CoreV1.ListNamespaceAsync(cancellationToken: cancellationToken));
        return new LiveCluster(
            time.GetUtcNow(),
            [.. (await handoffNodes).Items.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)],
            [.. (await nodes).Items],
            [.. (await functions).Items.OrderBy(LiveCluster.Id, StringComparer.Ordinal)],
            [.. (await pods).Items])
        {
            Queues = await queues,
            PriorityClasses = [.. (await classes).Items],
            Namespaces = [.. (await namespaces).Items],
        };
    }

    /// <summary>The HandoffQueues, or none when the cluster has no such resource (queues are optional).</summary>
    private static async Task<IReadOnlyList<HandoffQueue>> QueuesAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        try
        {
            var list = await client.CustomObjects.ListClusterCustomObjectAsync<HandoffQueueList>(
                HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, cancellationToken: cancellationToken);
            return [.. list.Items.OrderBy(q => q.Metadata.Name, StringComparer.Ordinal)];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    /// <summary>Reads one pod, or null when there is none of that name.</summary>
    public static async Task<V1Pod?> ReadPodAsync(IKubernetes client, string name, string @namespace, CancellationToken cancellationToken)
    {
        try
        {
            return await Call($"read pod {@namespace}/{name}", client, () => client.CoreV1.ReadNamespacedPodAsync(name, @namespace, cancellationToken: cancellationToken));
        }
        catch (ClusterException e) when (e.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound })
        {
            return null;
        }
    }

    private static async Task<T> Call<T>(string what, IKubernetes client, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && what.Contains("Handoff", StringComparison.Ordinal))
        {
            throw new ClusterException($"cannot {what}: the server has no such resource (are Handoff's CRDs installed? kubectl apply -f crds/)", e);
        }
        catch (HttpOperationException e)
        {
            var detail = string.IsNullOrWhiteSpace(e.Response.Content) ? e.Message : e.Response.Content;
            throw new ClusterException($"cannot {what}: {(int)e.Response.StatusCode} {e.Response.StatusCode}: {detail}", e);
        }
        catch (HttpRequestException e)
        {
            throw new ClusterException($"cannot reach the API server at {client.BaseUri}: {e.Message}", e);
        }
    }
}
