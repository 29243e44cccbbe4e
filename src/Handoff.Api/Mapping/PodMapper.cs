using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Allocation;
using Handoff.Core.Workloads;
using k8s.Models;

namespace Handoff.Api.Mapping;

/// <summary>Pods in Core's terms: what a plain pod Handoff schedules asks for, and what any pod holds on its node.</summary>
public static class PodMapper
{
    /// <summary>The id of a plain pod's workload: <c>pods/namespace/name</c>.</summary>
    public static string WorkloadId(string @namespace, string name) => "pods/" + ObjectKeys.Of(@namespace, name);

    /// <summary>
    /// A plain pod to schedule: cost = its effective request (kube-scheduler's rule, plus nothing Handoff-only), its own
    /// nodeSelector/affinity/tolerations, strategy from the <c>handoff.dev/strategy</c> annotation, priority from
    /// <c>spec.priority</c>.
    /// </summary>
    public static MappedPod ToPlainPod(V1Pod pod, AllocationStrategy defaultStrategy)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var ns = pod.Metadata.NamespaceProperty ?? HandoffMapper.DefaultNamespace;
        var what = $"Pod {ns}/{pod.Metadata.Name}";
        var resources = KubernetesMapper.ResourcesOf(what, "spec", pod.Spec);
        var cost = resources.Containers.Count == 0 ? Core.Resources.ResourceList.Empty : PodRequests.Effective(resources);
        var strategy = defaultStrategy;
        if (pod.Metadata.Annotations?.TryGetValue(HandoffApi.StrategyAnnotation, out var named) == true && !Allocators.TryParseStrategy(named, out strategy))
        {
            throw new ManifestValidationException(what, $"metadata.annotations[{HandoffApi.StrategyAnnotation}]",
                $"Unsupported value: \"{named}\": supported values: {string.Join(", ", Allocators.StrategyNames.Select(s => $"\"{s}\""))}");
        }

        var placement = new PlacementRequest(WorkloadId(ns, pod.Metadata.Name), cost)
        {
            Tolerations = KubernetesMapper.TolerationsOf(pod.Spec),
            Affinity = KubernetesMapper.AffinityOf(pod.Spec),
            Subject = "Pod",
        };
        return new MappedPod(ObjectKeys.Of(ns, pod.Metadata.Name), placement, strategy, pod.Spec?.Priority ?? 0) { Traits = QueueMapper.TraitsOf(pod) };
    }

    /// <summary>
    /// What a pod is to Handoff. A pod Handoff placed (a function's, or a plain pod it bound: <c>schedulerName</c> its
    /// own and the <c>handoff.dev/node</c> annotation) holds capacity of its HandoffNode while it lives; any other live
    /// pod bound to a Node holds what it requests there (external usage of Node-backed HandoffNodes); an unbound pod
    /// that names Handoff waits to be placed; an unbound pod of another scheduler is not Handoff's concern yet.
    /// </summary>
    public static PodRole RoleOf(V1Pod pod, string schedulerName = HandoffApi.DefaultSchedulerName)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return RoleOf(
            pod.Metadata.Labels?.ContainsKey(HandoffApi.FunctionLabel) == true,
            pod.Spec?.SchedulerName == schedulerName,
            pod.Metadata.Annotations?.ContainsKey(HandoffApi.HandoffNodeAnnotation) == true,
            pod.Status?.Phase,
            pod.Spec?.NodeName,
            pod.Metadata.DeletionTimestamp is not null);
    }

    /// <summary>
    /// <see cref="RoleOf(V1Pod, string)"/> over what it reads of a pod: the function label, whether it names Handoff's
    /// scheduler, the <c>handoff.dev/node</c> annotation, its phase, node and deletion.
    /// </summary>
    public static PodRole RoleOf(bool functionLabel, bool namesHandoff, bool handoffNodeAnnotation, string? phase, string? nodeName, bool deleting)
    {
        if (functionLabel)
        {
            return PodRole.FunctionPod;
        }

        if (namesHandoff && handoffNodeAnnotation)
        {
            return PodRole.PlacedByHandoff;
        }

        return phase is "Succeeded" or "Failed" ? PodRole.Finished
            : !string.IsNullOrEmpty(nodeName) ? PodRole.External
            : namesHandoff && !deleting ? PodRole.WaitingForHandoff
            : PodRole.OtherScheduler;
    }

    /// <summary>What a live pod Handoff did not place holds on its Node: its effective request and one <c>pods</c>.</summary>
    public static Core.Resources.ResourceList ExternalRequestOf(V1Pod pod) => ExternalRequestOf(RequestOf(pod));

    /// <summary>What a live pod Handoff did not place holds on its Node, from its effective request: that and one <c>pods</c>.</summary>
    public static Core.Resources.ResourceList ExternalRequestOf(Core.Resources.ResourceList request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Add(OnePod);
    }

    private static readonly Core.Resources.ResourceList OnePod = Core.Resources.ResourceList.Of((NodeEligibility.PodsResource, "1"));

    /// <summary>What a pod holds on its node: its effective request (0 where its quantities cannot be read).</summary>
    public static Core.Resources.ResourceList RequestOf(V1Pod pod)
    {
        try
        {
            var resources = KubernetesMapper.ResourcesOf($"Pod {pod.Metadata.Name}", "spec", pod.Spec);
            return resources.Containers.Count == 0 ? Core.Resources.ResourceList.Empty : PodRequests.Effective(resources);
        }
        catch (ManifestValidationException)
        {
            return Core.Resources.ResourceList.Empty;
        }
    }
}
