using System.Net;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The I/O of step 7: pods created, bound and deleted. Each call runs only while this replica holds a fresh lease, and
/// returns what happened instead of changing the pass's decisions. Pod names are deterministic for one view of the
/// cluster, so a 409 AlreadyExists with our own pod means "already done". The informer cache is told about the pods
/// created and bound, so the next pass sees them even before their watch events arrive.
/// </summary>
public sealed class Actuator(IKubernetes client, ApiStreams streams, ApiCalls api, ILeaseFence fence, ResourceCache<PodRecord> pods, TimeProvider time, ILogger<Actuator> logger)
{
    /// <summary>Creates <paramref name="pod"/> and binds it to <paramref name="kubernetesNode"/>.</summary>
    /// <param name="key">The pod's key as the pass holds it (its capacity's holder in the tracker), for the cache to share.</param>
    public async Task<PlacementOutcome> PlaceAsync(V1Pod pod, string ownerUid, string? key, string kubernetesNode, CancellationToken cancellationToken)
    {
        var (failure, created) = await CreateAsync(pod, ownerUid, key, cancellationToken);
        if (created is null)
        {
            return failure!;
        }

        return await BindAsync(created, kubernetesNode, cancellationToken)
            ? new PlacementOutcome(PlacementResult.Bound)
            : new PlacementOutcome(PlacementResult.NotDone);
    }

    /// <summary>
    /// Creates <paramref name="pod"/> without binding it (a gang's members are all created before any is bound): the
    /// created pod, or why not. A created pod holds its node's capacity (its <c>handoff.dev/node</c> annotation).
    /// </summary>
    /// <param name="key">
    /// The pod's key as the pass holds it (its capacity's holder in the tracker): the record takes it, so that the cache,
    /// the pass's memos and the tracker hold one string (unless the pod's watch event was stored first: then the cache's);
    /// likewise its owner's UID becomes <paramref name="ownerUid"/>, the function's own string.
    /// </param>
    public async Task<(PlacementOutcome? Failure, PodRecord? Created)> CreateAsync(V1Pod pod, string ownerUid, string? key, CancellationToken cancellationToken)
    {
        fence.ThrowIfStale();
        var ns = pod.Metadata.NamespaceProperty;
        V1Pod? created;
        try
        {
            // The answer is decoded as the pods' watch decodes a pod: only what its record is made of.
            (var result, created) = await api.RunAsync(
                "create-pod",
                ct => streams.SendObjectAsync<V1Pod, V1Pod>(
                    HttpMethod.Post, $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods", pod, CacheTransforms.PodJson, ct),
                cancellationToken);
            if (result == ApiCallResult.Conflict)
            {
                // AlreadyExists: ours (created before a restart, or by an earlier pass) is done; anyone else's takes the
                // name — the cache learns of it, and the next pass picks the next name.
                created = await ReadPodAsync(ns, pod.Metadata.Name, cancellationToken);
                if (created is null || created.Metadata.DeletionTimestamp is not null
                    || created.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == ownerUid) != true)
                {
                    if (created is not null)
                    {
                        pods.Upsert(CacheTransforms.Pod(created));
                    }

                    return (new PlacementOutcome(PlacementResult.NotDone), null);
                }
            }
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
        {
            return (new PlacementOutcome(PlacementResult.InvalidTemplate, "invalid pod template: " + ApiCalls.MessageOf(ex)), null);
        }

        if (created is null)
        {
            return (new PlacementOutcome(PlacementResult.NotDone), null);
        }

        var record = CacheTransforms.Pod(created);
        record.ShareKey(key);
        record.ShareOwnerUid(ownerUid);
        pods.Upsert(record);
        return (null, record);
    }

    /// <summary>
    /// Binds a created pod; true when it is bound to <paramref name="kubernetesNode"/> afterwards. The Binding's
    /// <paramref name="annotations"/> are copied onto the pod by the API server (a plain pod Handoff places gets its
    /// HandoffNode and cost that way, in the same write).
    /// </summary>
    public async Task<bool> BindAsync(PodRecord pod, string kubernetesNode, CancellationToken cancellationToken, IDictionary<string, string>? annotations = null)
    {
        if (pod.Bound)
        {
            return pod.NodeName == kubernetesNode;
        }

        fence.ThrowIfStale();
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod.Name, NamespaceProperty = pod.Namespace, Annotations = annotations },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = kubernetesNode },
        };
        var (result, _) = await api.RunAsync(
            "bind-pod",
            async ct =>
            {
                // Sent as the client's call sends it, its answer (a Status) read and dropped: the call read it into a string.
                await streams.SendObjectAsync(
                    HttpMethod.Post, $"api/v1/namespaces/{Uri.EscapeDataString(pod.Namespace)}/pods/{Uri.EscapeDataString(pod.Name)}/binding", binding, ct);
                return binding;
            },
            cancellationToken);
        if (result != ApiCallResult.Done)
        {
            // Already bound (by an earlier attempt of this call) or gone: read what is there.
            var current = await ReadPodAsync(pod.Namespace, pod.Name, cancellationToken);
            if (current is null)
            {
                pods.Remove(ResourceCache<PodRecord>.KeyOf(pod));
                return false;
            }

            pods.Upsert(CacheTransforms.Pod(current));
            return current.Spec?.NodeName == kubernetesNode;
        }

        // The API answers a Binding with a Status: the cache learns of the binding from the pod as it now is.
        pods.Upsert(CacheTransforms.Bound(pod, kubernetesNode, annotations));
        Log.PodBound(logger, pod.Namespace, pod.Name, kubernetesNode);
        return true;
    }

    /// <summary>
    /// Reads <paramref name="livePods"/> from the API server; true when every one is still there and not finished. A pod
    /// that has finished or is gone is put into the cache as it now is (or removed), and false is returned: the cache was
    /// behind. Asked before a function's terminal status is taken back because of a live pod — after a takeover the
    /// new leader's pod watch can be behind its function watch, and a finished pod it still sees running must not undo
    /// the status the last leader wrote from that pod.
    /// </summary>
    public async Task<bool> ConfirmLiveAsync(IReadOnlyList<PodRecord> livePods, CancellationToken cancellationToken)
    {
        var allLive = true;
        foreach (var pod in livePods)
        {
            var current = await ReadPodAsync(pod.Namespace, pod.Name, cancellationToken);
            if (current is null || current.Metadata.Uid != pod.Uid)
            {
                pods.Remove(ResourceCache<PodRecord>.KeyOf(pod), pod);
                allLive = false;
                continue;
            }

            var fresh = CacheTransforms.Pod(current);
            pods.Upsert(fresh);
            allLive &= fresh.Attempt is { IsTerminal: false };
        }

        return allLive;
    }

    /// <summary>
    /// Reads the pod <paramref name="name"/> from the API server; true when it is gone or going (being deleted: its
    /// attempt ends either way, and a pod the operator deleted itself has left the cache already). When it is there,
    /// the cache was behind (a new leader's pod watch had not yet brought a pod the last leader created): it is put into
    /// the cache.
    /// </summary>
    public async Task<bool> ConfirmGoneAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var current = await ReadPodAsync(@namespace, name, cancellationToken);
        if (current is null || current.Metadata.DeletionTimestamp is not null)
        {
            return true;
        }

        pods.Upsert(CacheTransforms.Pod(current));
        return false;
    }

    /// <summary>The pod as the API server has it now; null when it is gone.</summary>
    private async Task<V1Pod?> ReadPodAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        (await api.RunAsync("read-pod", ct => client.CoreV1.ReadNamespacedPodAsync(name, @namespace, cancellationToken: ct), cancellationToken)).Value;

    /// <summary>
    /// Says why a plain pod is not placed, as kube-scheduler does: condition PodScheduled=False, reason Unschedulable,
    /// with the message (a strategic merge patch of the pod's status; written only when it changes).
    /// </summary>
    public async Task ReportUnschedulableAsync(V1Pod pod, string message, CancellationToken cancellationToken)
    {
        var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (current is { Status: "False", Reason: "Unschedulable" } && current.Message == message)
        {
            return;
        }

        fence.ThrowIfStale();
        var condition = new V1PodCondition
        {
            Type = "PodScheduled",
            Status = "False",
            Reason = "Unschedulable",
            Message = message,
            LastTransitionTime = current?.Status == "False" ? current.LastTransitionTime : time.GetUtcNow().UtcDateTime,
        };
        var patch = new V1Patch(KubernetesJson.Serialize(new { status = new { conditions = new[] { condition } } }), V1Patch.PatchType.StrategicMergePatch);
        var (_, updated) = await api.RunAsync(
            "patch-pod-status",
            ct => client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct),
            cancellationToken);
        if (updated is not null)
        {
            pods.Upsert(CacheTransforms.Pod(updated));
        }
    }

    /// <summary>Carries out one decision of node discovery (create, relabel or delete a discovered HandoffNode).</summary>
    public async Task DiscoverAsync(DiscoveryAction action, ResourceCache<HandoffNode> handoffNodes, CancellationToken cancellationToken)
    {
        fence.ThrowIfStale();
        switch (action)
        {
            case CreateDiscovered create:
                var (_, created) = await api.RunAsync(
                    "create-handoffnode",
                    ct => client.CustomObjects.CreateClusterCustomObjectAsync<HandoffNode>(create.Node, HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: ct),
                    cancellationToken);
                if (created is not null)
                {
                    handoffNodes.Upsert(created);
                }

                break;
            case RelabelDiscovered relabel:
                var patch = new V1Patch(KubernetesJson.Serialize(new { metadata = new { labels = relabel.Labels } }), V1Patch.PatchType.MergePatch);
                var (_, relabelled) = await api.RunAsync(
                    "patch-handoffnode",
                    ct => client.CustomObjects.PatchClusterCustomObjectAsync<HandoffNode>(patch, HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, relabel.Name, cancellationToken: ct),
                    cancellationToken);
                if (relabelled is not null)
                {
                    handoffNodes.Upsert(relabelled);
                }

                break;
            case DeleteDiscovered delete:
                await api.RunAsync(
                    "delete-handoffnode",
                    ct => client.CustomObjects.DeleteClusterCustomObjectAsync(
                        HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, delete.Name,
                        new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = delete.Uid } }, cancellationToken: ct),
                    cancellationToken);
                break;
        }
    }

    /// <summary>Deletes a pod (this very one: the UID is a precondition), for the reason given.</summary>
    public async Task DeletePodAsync(PodRecord pod, string reason, CancellationToken cancellationToken)
    {
        fence.ThrowIfStale();
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Uid } };
        await api.RunAsync(
            "delete-pod",
            ct => client.CoreV1.DeleteNamespacedPodAsync(pod.Name, pod.Namespace, options, cancellationToken: ct),
            cancellationToken);
        Log.PodDeleted(logger, pod.Namespace, pod.Name, reason);
    }

    /// <summary>
    /// Finished work (<see cref="FinishedWorkStep"/>): deletes a finished function's pod under its podGC policy. The UID
    /// is a precondition, so a pod re-created under the same name since the pass read it is left alone (409); one
    /// already gone (404) is done. Only a delete that happened now is logged.
    /// </summary>
    public async Task CollectPodAsync(PodToCollect collect, CancellationToken cancellationToken)
    {
        fence.ThrowIfStale();
        var pod = collect.Pod.Pod;
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Uid } };
        var (result, _) = await api.RunAsync(
            "delete-pod",
            ct => client.CoreV1.DeleteNamespacedPodAsync(pod.Name, pod.Namespace, options, cancellationToken: ct),
            cancellationToken);
        if (result == ApiCallResult.Done)
        {
            Log.PodCollected(logger, pod.Namespace, pod.Name, collect.Function.Name, collect.Policy);
        }
    }

    /// <summary>
    /// Finished work: deletes a function whose ttlSecondsAfterFinished passed; its pods go with it (the garbage
    /// collector follows their owner reference). The UID and resourceVersion the pass decided on are preconditions (as
    /// the TTL-after-finished controller re-reads a Job before deleting it): a function re-created under the same name,
    /// or changed since (its TTL edited), is left alone (409) and decided on again by the next pass.
    /// </summary>
    public async Task DeleteExpiredAsync(FunctionView function, CancellationToken cancellationToken)
    {
        fence.ThrowIfStale();
        var options = new V1DeleteOptions
        {
            Preconditions = new V1Preconditions { Uid = function.Object.Metadata.Uid, ResourceVersion = function.Object.Metadata.ResourceVersion },
            PropagationPolicy = "Background",
        };
        var (result, _) = await api.RunAsync(
            "delete-handofffunction",
            ct => client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                HandoffApi.Group, HandoffApi.Version, function.Namespace, HandoffApi.FunctionPlural, function.Name, options, cancellationToken: ct),
            cancellationToken);
        if (result == ApiCallResult.Done)
        {
            Log.ExpiredFunctionDeleted(logger, function.Namespace, function.Name, function.Record.CompletionTime ?? default);
        }
    }
}
