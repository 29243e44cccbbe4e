using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Resources;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// What the operator keeps of each watched object (the informers' transforms). The caches hold every HandoffFunction,
/// function pod and Node of the cluster, so fields the reconciler never reads are dropped before they are stored:
/// <c>managedFields</c> and kubectl's last-applied annotation everywhere (on a real API server they are often the
/// larger half of an object), pod specs and statuses beyond binding and outcome, and everything of a Node but its
/// name, <c>unschedulable</c> and Ready condition. Strings that repeat across objects (namespaces, label and
/// annotation keys, node names, phases, condition types and reasons, images, costs) are shared through a bounded
/// <see cref="StringPool"/>: each deserialized object otherwise holds its own copy; equal pod templates and cost maps of
/// functions are kept once (<see cref="SharedInstances{T}"/>); pods become compact records (<see cref="PodRecord"/>).
/// See docs/performance.md.
/// </summary>
public static partial class CacheTransforms
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    private const int CostsKept = 4096;

    /// <summary>Cost annotations already read (annotation JSON → its cost; null when it does not read).</summary>
    private static readonly ConcurrentDictionary<string, ResourceList?> CostsRead = new(StringComparer.Ordinal);

    /// <summary>Equal pod templates kept once, across every function cache of the process.</summary>
    public static SharedInstances<V1PodTemplateSpec> Templates { get; } = new(template => KubernetesJson.Serialize(template));

    /// <summary>Equal <c>spec.cost</c> maps kept once (the functions of one kind declare one cost).</summary>
    public static SharedInstances<IDictionary<string, string>> CostMaps { get; } = new(CostMapText);

    public static HandoffFunction Function(HandoffFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        TrimMetadata(function.Metadata);
        function.ApiVersion = Shared(function.ApiVersion)!;
        function.Kind = Shared(function.Kind)!;
        if (function.Spec is { } spec)
        {
            // A pooled copy is made only for a cost no cached function holds yet; the others take the one kept.
            spec.Cost = spec.Cost is { Count: > 0 } cost ? CostMaps.Share(cost, map => Shared(map)!) : null;
            spec.Strategy = Shared(spec.Strategy);
            spec.Queue = Shared(spec.Queue);
            spec.PriorityClassName = Shared(spec.PriorityClassName);
            spec.PreemptionPolicy = Shared(spec.PreemptionPolicy);
            spec.PodGC = Shared(spec.PodGC);
            if (spec.Template is { } template)
            {
                // One the decoder already shared (SharedTemplateConverter) comes back as it is, without its text.
                spec.Template = Templates.Share(template, KeepTemplate);
            }
        }

        if (function.Status is { } status)
        {
            status.Phase = Shared(status.Phase);
            status.Node = Shared(status.Node);
            SharePooled(status.Conditions);
        }

        return function;
    }

    /// <summary>
    /// How a HandoffFunction is decoded for the cache: its template through <see cref="Templates"/> by the JSON it
    /// arrives in (<see cref="SharedTemplateConverter"/>), so a template seen before is not decoded again.
    /// </summary>
    public static JsonSerializerOptions FunctionJson { get; } = new(KubernetesJsonOptions.Value)
    {
        Converters = { new SharedTemplateConverter(Templates, KubernetesJsonOptions.Value, KeepTemplate, "$.spec.template") },
    };

    /// <summary>What is kept of a template no cached function shares yet: its container's repeated strings pooled.</summary>
    private static V1PodTemplateSpec KeepTemplate(V1PodTemplateSpec template)
    {
        foreach (var container in template.Spec?.Containers ?? [])
        {
            container.Name = Shared(container.Name);
            container.Image = Shared(container.Image);
            container.ImagePullPolicy = Shared(container.ImagePullPolicy);
            container.Command = Shared(container.Command);
            container.Args = Shared(container.Args);
        }

        return template;
    }

    public static HandoffNode HandoffNode(HandoffNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        TrimMetadata(node.Metadata);
        node.ApiVersion = Shared(node.ApiVersion)!;
        node.Kind = Shared(node.Kind)!;
        if (node.Spec is { } spec)
        {
            spec.Capacity = SharedKeepingEmpty(spec.Capacity)!;
            spec.NodeName = Shared(spec.NodeName);
            spec.CapacityFrom = Shared(spec.CapacityFrom);
        }

        // The status is what the next status write is diffed against: an empty map stays an empty map.
        if (node.Status is { } status)
        {
            status.Capacity = SharedKeepingEmpty(status.Capacity);
            status.External = SharedKeepingEmpty(status.External);
            status.Allocated = SharedKeepingEmpty(status.Allocated);
            status.Available = SharedKeepingEmpty(status.Available);
            SharePooled(status.Conditions);
        }

        return node;
    }

    public static HandoffQueue Queue(HandoffQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        TrimMetadata(queue.Metadata);
        return queue;
    }

    /// <summary>Keeps the name and the value (all a priorityClassName resolves to).</summary>
    public static V1PriorityClass PriorityClass(V1PriorityClass priorityClass)
    {
        ArgumentNullException.ThrowIfNull(priorityClass);
        return new V1PriorityClass
        {
            ApiVersion = priorityClass.ApiVersion,
            Kind = priorityClass.Kind,
            Metadata = new V1ObjectMeta { Name = priorityClass.Metadata.Name, ResourceVersion = priorityClass.Metadata.ResourceVersion, Uid = priorityClass.Metadata.Uid },
            Value = priorityClass.Value,
            PreemptionPolicy = priorityClass.PreemptionPolicy,
        };
    }

    /// <summary>Keeps the name and the labels (what a HandoffQueue's namespaceSelector matches).</summary>
    public static V1Namespace Namespace(V1Namespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new V1Namespace
        {
            ApiVersion = ns.ApiVersion,
            Kind = ns.Kind,
            Metadata = new V1ObjectMeta { Name = ns.Metadata.Name, ResourceVersion = ns.Metadata.ResourceVersion, Uid = ns.Metadata.Uid, Labels = Shared(ns.Metadata.Labels) },
        };
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
    /// affinity, tolerations, priority) and the status the reconciler reads (phase, message, start time, the
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

    private static void SharePooled(IList<HandoffCondition>? conditions)
    {
        foreach (var condition in conditions ?? [])
        {
            condition.Type = Shared(condition.Type)!;
            condition.Status = Shared(condition.Status)!;
            condition.Reason = Shared(condition.Reason);
            condition.Message = Shared(condition.Message);
        }
    }

    private static void TrimMetadata(V1ObjectMeta metadata)
    {
        metadata.ManagedFields = null;
        metadata.NamespaceProperty = Shared(metadata.NamespaceProperty);
        metadata.Annotations?.Remove(LastAppliedAnnotation);
        metadata.Annotations = Shared(metadata.Annotations);
        metadata.Labels = Shared(metadata.Labels);
    }

    /// <summary>A cost map as text, entries in order (names and quantities cannot hold '=' or a newline).</summary>
    private static string CostMapText(IDictionary<string, string> map)
    {
        var names = new string[map.Count];
        map.Keys.CopyTo(names, 0);
        Array.Sort(names, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var name in names)
        {
            text.Append(name).Append('=').Append(map[name]).Append('\n');
        }

        return text.ToString();
    }

    private static string? Shared(string? value) => value is null ? null : StringPool.Shared.GetOrAdd(value);

    private static IList<string>? Shared(IList<string>? values) => values?.Select(v => Shared(v)!).ToList();

    /// <summary>A right-sized copy with shared keys and values, an empty map kept empty (null stays null).</summary>
    private static Dictionary<string, string>? SharedKeepingEmpty(IDictionary<string, string>? map) =>
        map is null ? null : Shared(map) ?? new Dictionary<string, string>(0, StringComparer.Ordinal);

    /// <summary>A right-sized copy with shared keys and values (null for an empty map).</summary>
    private static Dictionary<string, string>? Shared(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return null;
        }

        var copy = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            copy[Shared(key)!] = Shared(value)!;
        }

        return copy;
    }
}
