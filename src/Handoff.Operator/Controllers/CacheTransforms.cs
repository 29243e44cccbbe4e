using Handoff.Api.V1Alpha1;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// What the operator keeps of each watched object (the informers' transforms). The caches hold every HandoffFunction,
/// function pod and Node of the cluster, so fields the reconciler never reads are dropped before they are stored:
/// <c>managedFields</c> and kubectl's last-applied annotation everywhere (on a real API server they are often the
/// larger half of an object), pod specs and statuses beyond binding and outcome, and everything of a Node but its
/// name, <c>unschedulable</c> and Ready condition. See docs/performance.md (operator memory).
/// </summary>
public static class CacheTransforms
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    public static HandoffFunction Function(HandoffFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        TrimMetadata(function.Metadata);
        return function;
    }

    public static HandoffNode HandoffNode(HandoffNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        TrimMetadata(node.Metadata);
        return node;
    }

    /// <summary>
    /// Keeps metadata, <c>spec.nodeName</c>, <c>spec.schedulerName</c>, the first container's name, and the status the
    /// reconciler reads (phase, message, start time, the containers' terminated states).
    /// </summary>
    public static V1Pod Pod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        TrimMetadata(pod.Metadata);
        var first = pod.Spec?.Containers?.FirstOrDefault()?.Name;
        return new V1Pod
        {
            ApiVersion = pod.ApiVersion,
            Kind = pod.Kind,
            Metadata = pod.Metadata,
            Spec = new V1PodSpec
            {
                NodeName = pod.Spec?.NodeName,
                SchedulerName = pod.Spec?.SchedulerName,
                Containers = first is null ? [] : [new V1Container { Name = first }],
            },
            Status = pod.Status is not { } status ? null : new V1PodStatus
            {
                Phase = status.Phase,
                Message = status.Message,
                Reason = status.Reason,
                StartTime = status.StartTime,
                ContainerStatuses = status.ContainerStatuses?.Select(c => new V1ContainerStatus
                {
                    Name = c.Name,
                    State = c.State?.Terminated is { } t ? new V1ContainerState { Terminated = t } : null,
                    LastState = c.LastState?.Terminated is { } lt ? new V1ContainerState { Terminated = lt } : null,
                }).ToList(),
            },
        };
    }

    /// <summary>Keeps the name, <c>spec.unschedulable</c> and the Ready condition.</summary>
    public static V1Node Node(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        TrimMetadata(node.Metadata);
        // Node selectors match HandoffNode labels, not the Kubernetes Node's: only readiness is read here.
        node.Metadata.Annotations = null;
        node.Metadata.Labels = null;
        return new V1Node
        {
            ApiVersion = node.ApiVersion,
            Kind = node.Kind,
            Metadata = node.Metadata,
            Spec = node.Spec is null ? null : new V1NodeSpec { Unschedulable = node.Spec.Unschedulable },
            Status = new V1NodeStatus { Conditions = node.Status?.Conditions?.Where(c => c.Type == "Ready").ToList() },
        };
    }

    private static void TrimMetadata(V1ObjectMeta metadata)
    {
        metadata.ManagedFields = null;
        if (metadata.Annotations is { } annotations && annotations.Remove(LastAppliedAnnotation) && annotations.Count == 0)
        {
            metadata.Annotations = null;
        }
    }
}
