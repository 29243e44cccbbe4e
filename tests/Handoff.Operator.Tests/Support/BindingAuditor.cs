using System.Collections.Concurrent;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Support;

/// <summary>
/// Watches the namespace's function pods (independently of the operator) and checks, at every observed event, that no
/// Kubernetes node holds bound, unfinished pods — terminating and orphaned ones included: they still run — whose costs
/// exceed its capacity, and that no function (by UID) ever has two unfinished pods. A pod's cost is the one it was
/// placed with (its <c>handoff.dev/cost</c> annotation), else its function's.
/// </summary>
public sealed class BindingAuditor : IAsyncDisposable
{
    private readonly SandboxCluster _cluster;
    private readonly string _resource;
    private readonly IReadOnlyDictionary<string, long> _capacityMilli;
    private readonly Func<string, long> _costMilli;
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="capacityMilli">Kubernetes node name → capacity of the audited resource (milli-units).</param>
    /// <param name="costMilli">function name → cost of the audited resource (milli-units), for pods that do not record theirs.</param>
    /// <param name="resource">The audited resource.</param>
    public BindingAuditor(SandboxCluster cluster, IReadOnlyDictionary<string, long> capacityMilli, Func<string, long> costMilli, string resource = "cpu")
    {
        _resource = resource;
        _cluster = cluster;
        _capacityMilli = capacityMilli;
        _costMilli = costMilli;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public ConcurrentBag<string> Violations { get; } = [];

    /// <summary>The most capacity ever seen in use per node (milli-units).</summary>
    public ConcurrentDictionary<string, long> Peak { get; } = new(StringComparer.Ordinal);

    public int Events { get; private set; }

    private async Task RunAsync(CancellationToken ct)
    {
        string? rv = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (rv is null)
                {
                    var list = await _cluster.Client.CoreV1.ListNamespacedPodAsync(_cluster.Namespace, labelSelector: HandoffApi.FunctionLabel, cancellationToken: ct);
                    _pods.Clear();
                    foreach (var p in list.Items)
                    {
                        _pods[p.Metadata.Name] = p;
                    }

                    Check("list");
                    rv = list.Metadata.ResourceVersion;
                }

#pragma warning disable CS0618 // the typed response watch, as the operator uses
                var watch = _cluster.Client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(
                    _cluster.Namespace, labelSelector: HandoffApi.FunctionLabel, watch: true, resourceVersion: rv, cancellationToken: ct);
                await foreach (var (type, pod) in watch.WatchAsync<V1Pod, V1PodList>(cancellationToken: ct))
#pragma warning restore CS0618
                {
                    if (type == WatchEventType.Deleted)
                    {
                        _pods.Remove(pod.Metadata.Name);
                    }
                    else if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        _pods[pod.Metadata.Name] = pod;
                    }

                    rv = pod.Metadata.ResourceVersion ?? rv;
                    Events++;
                    Check($"{type} {pod.Metadata.Name}");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                rv = null; // re-list (e.g. 410 Gone after the sandbox expired its history)
            }
        }
    }

    private void Check(string after)
    {
        var live = _pods.Values.Where(p => p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
        foreach (var group in live.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).GroupBy(p => p.Spec.NodeName))
        {
            var used = group.Sum(CostMilli);
            Peak.AddOrUpdate(group.Key, used, (_, old) => Math.Max(old, used));
            if (used > _capacityMilli.GetValueOrDefault(group.Key))
            {
                Violations.Add($"after {after}: node {group.Key} holds {used}m of {_capacityMilli.GetValueOrDefault(group.Key)}m: " +
                    string.Join(", ", group.Select(p => p.Metadata.Name)));
            }
        }

        foreach (var dup in live.GroupBy(p => p.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Uid ?? "orphan " + p.Metadata.Name).Where(g => g.Count() > 1))
        {
            Violations.Add($"after {after}: function {dup.First().Metadata.Labels[HandoffApi.FunctionLabel]} (uid {dup.Key}) has {dup.Count()} unfinished pods: {string.Join(", ", dup.Select(p => p.Metadata.Name))}");
        }
    }

    private long CostMilli(V1Pod pod)
    {
        if (pod.Metadata.Annotations?.TryGetValue(HandoffApi.CostAnnotation, out var json) == true &&
            System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { } cost)
        {
            return Core.Resources.ResourceList.Parse(cost)[_resource];
        }

        return _costMilli(pod.Metadata.Labels[HandoffApi.FunctionLabel]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
