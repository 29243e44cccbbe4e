using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Resources;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>What the pods' cache keeps of a pod (<see cref="PodRecord"/>), and how a pod is decoded for it.</summary>
public static partial class CacheTransforms
{
    private const int CostsKept = 4096;

    /// <summary>Cost annotations already read (annotation JSON → its cost; null when it does not read).</summary>
    private static readonly ConcurrentDictionary<string, ResourceList?> CostsRead = new(StringComparer.Ordinal);

    /// <summary>
    /// How a pod is decoded for the cache: only what <see cref="Pod"/> and <see cref="TrimPod"/> read, the rest skipped
    /// unread — the containers' images, commands and environment (a function pod carries its inputs there), volumes,
    /// addresses, the other containers' states and managed fields. Every function pod comes through the pods' watch
    /// three times or more (created, bound, running, finished), so it is most of what a stream of functions decodes.
    /// </summary>
    public static JsonSerializerOptions PodJson { get; } = new(KubernetesJsonOptions.Value)
    {
        TypeInfoResolver = (KubernetesJsonOptions.Value.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(ReadOnlyKeptPodFields),
    };

    private static void ReadOnlyKeptPodFields(JsonTypeInfo info)
    {
        Func<string, bool>? read =
            info.Type == typeof(V1ObjectMeta) ? static name => name is not "managedFields"
            : info.Type == typeof(V1PodSpec) ? static name => name is "nodeName" or "schedulerName" or "containers" or "initContainers" or "overhead"
                or "resources" or "nodeSelector" or "affinity" or "tolerations" or "priority" or "priorityClassName" or "preemptionPolicy"
            : info.Type == typeof(V1Container) ? static name => name is "name" or "resources" or "restartPolicy"
            : info.Type == typeof(V1Affinity) ? static name => name is "nodeAffinity"
            : info.Type == typeof(V1NodeAffinity) ? static name => name is "requiredDuringSchedulingIgnoredDuringExecution"
            : info.Type == typeof(V1PodStatus) ? static name => name is "phase" or "message" or "reason" or "startTime" or "conditions" or "containerStatuses"
            : info.Type == typeof(V1ContainerStatus) ? static name => name is "name" or "state" or "lastState"
            : info.Type == typeof(V1ContainerState) ? static name => name is "terminated"
            : null;
        ReadOnly(info, read);
    }

    /// <summary>
    /// A pod's record (<see cref="PodRecord"/>): its identity, and what the pass reads of it worked out once — the
    /// attempt of a pod Handoff placed, the cost recorded on it, someone else's effective request; the trimmed pod
    /// itself (<see cref="TrimPod"/>) only for a plain pod that is unbound or that Handoff bound.
    /// </summary>
    public static PodRecord Pod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var meta = pod.Metadata;
        var isFunctionPod = meta.Labels?.ContainsKey(HandoffApi.FunctionLabel) == true;
        var handoffNode = Shared(FunctionPods.HandoffNodeOf(pod));
        var bound = FunctionPods.IsBound(pod);
        var attempt = isFunctionPod || handoffNode is not null ? FunctionPods.ToAttemptPod(pod, handoffNode) : null;
        return new PodRecord
        {
            Metadata = Identity(meta, Shared(meta.NamespaceProperty)),
            ApiVersion = Shared(pod.ApiVersion) ?? "v1",
            Kind = Shared(pod.Kind) ?? "Pod",
            IsFunctionPod = isFunctionPod,
            OwnerUid = meta.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == HandoffApi.FunctionKind)?.Uid,
            SchedulerName = Shared(pod.Spec?.SchedulerName),
            NodeName = bound ? Shared(pod.Spec!.NodeName) : null,
            HandoffNode = handoffNode,
            Phase = Shared(pod.Status?.Phase),
            Attempt = attempt is null ? null : attempt with { Reason = Shared(attempt.Reason) },
            Cost = CostOf(pod),
            Requests = isFunctionPod ? ResourceList.Empty : PodMapper.RequestOf(pod),
            Source = !isFunctionPod && (!bound || handoffNode is not null) ? TrimPod(pod) : null,
        };
    }

    /// <summary>
    /// The record of <paramref name="pod"/> once bound to <paramref name="kubernetesNode"/> with the Binding's
    /// <paramref name="annotations"/> (the API server copies them onto the pod): what the cache keeps until the pod's
    /// watch event arrives. The record given is left as it is (the cache may still hand it to a pass).
    /// </summary>
    public static PodRecord Bound(PodRecord pod, string kubernetesNode, IDictionary<string, string>? annotations)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Source is not { } source)
        {
            return pod with { NodeName = Shared(kubernetesNode), Attempt = pod.Attempt is null ? null : pod.Attempt with { Bound = true } };
        }

        var meta = source.Metadata;
        var merged = new Dictionary<string, string>(meta.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in annotations ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        var identity = Identity(meta, meta.NamespaceProperty);
        identity.Labels = meta.Labels;
        identity.Annotations = merged;
        identity.OwnerReferences = meta.OwnerReferences;
        var copy = TrimPod(new V1Pod
        {
            ApiVersion = source.ApiVersion,
            Kind = source.Kind,
            Metadata = identity,
            Spec = source.Spec,
            Status = source.Status,
        });
        copy.Spec.NodeName = kubernetesNode;
        return Pod(copy);
    }

    /// <summary>A pod's identity alone: name, namespace, uid, resourceVersion, creation and deletion time.</summary>
    private static V1ObjectMeta Identity(V1ObjectMeta meta, string? ns) => new()
    {
        Name = meta.Name,
        NamespaceProperty = ns,
        Uid = meta.Uid,
        ResourceVersion = meta.ResourceVersion,
        CreationTimestamp = meta.CreationTimestamp,
        DeletionTimestamp = meta.DeletionTimestamp,
    };

    private static ResourceList? CostOf(V1Pod pod)
    {
        if (pod.Metadata.Annotations?.TryGetValue(HandoffApi.CostAnnotation, out var json) != true || json is null)
        {
            return null;
        }

        if (CostsRead.TryGetValue(json, out var known))
        {
            return known;
        }

        ResourceList? cost;
        try
        {
            cost = JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { } map ? ResourceList.Parse(map) : null;
        }
        catch (Exception ex) when (ex is JsonException or ResourceValidationException)
        {
            cost = null;
        }

        // Pods of one kind of function record one cost: read each annotation once (a restart lists 50,000 pods).
        // Bounded: a cluster of ever-new costs starts over rather than keeping them all.
        if (CostsRead.Count >= CostsKept)
        {
            CostsRead.Clear();
        }

        CostsRead[json] = cost;
        return cost;
    }

    /// <summary>
    /// Keeps metadata, what scheduling reads of the spec (<c>nodeName</c>, <c>schedulerName</c>, the containers' names
    /// and resources, init containers' restart policies, overhead, pod-level resources, nodeSelector, required node
    /// affinity, tolerations, priority, its class and preemption policy: a plain pod's queue traits) and the status the reconciler reads (phase, message, start time, the
    /// PodScheduled condition, the containers' terminated states, the first container's first).
    /// </summary>
    private static V1Pod TrimPod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        TrimMetadata(pod.Metadata);
        foreach (var owner in pod.Metadata.OwnerReferences ?? [])
        {
            owner.ApiVersion = Shared(owner.ApiVersion);
            owner.Kind = Shared(owner.Kind);
        }

        var first = pod.Spec?.Containers?.FirstOrDefault()?.Name;
        return new V1Pod
        {
            ApiVersion = Shared(pod.ApiVersion),
            Kind = Shared(pod.Kind),
            Metadata = pod.Metadata,
            Spec = pod.Spec is not { } spec ? new V1PodSpec { Containers = [] } : new V1PodSpec
            {
                NodeName = Shared(spec.NodeName),
                SchedulerName = Shared(spec.SchedulerName),
                Containers = [.. (spec.Containers ?? []).Select(c => new V1Container { Name = Shared(c.Name), Resources = c.Resources })],
                InitContainers = spec.InitContainers?.Select(c => new V1Container { Name = Shared(c.Name), Resources = c.Resources, RestartPolicy = c.RestartPolicy }).ToList(),
                Overhead = spec.Overhead,
                Resources = spec.Resources,
                NodeSelector = Shared(spec.NodeSelector),
                Affinity = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is { } required
                    ? new V1Affinity { NodeAffinity = new V1NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = required } }
                    : null,
                Tolerations = spec.Tolerations,
                Priority = spec.Priority,
                PriorityClassName = Shared(spec.PriorityClassName),
                PreemptionPolicy = Shared(spec.PreemptionPolicy),
            },
            Status = pod.Status is not { } status ? null : new V1PodStatus
            {
                Phase = Shared(status.Phase),
                Message = status.Message,
                Reason = status.Reason,
                StartTime = status.StartTime,
                Conditions = status.Conditions?.Where(c => c.Type == "PodScheduled").ToList(),
                ContainerStatuses = status.ContainerStatuses?
                    .OrderBy(c => c.Name == first ? 0 : 1)
                    .Select(c => new V1ContainerStatus
                    {
                        Name = Shared(c.Name),
                        State = c.State?.Terminated is { } t ? new V1ContainerState { Terminated = t } : null,
                        LastState = c.LastState?.Terminated is { } lt ? new V1ContainerState { Terminated = lt } : null,
                    })
                    .ToList(),
            },
        };
    }
}
