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
        return new MappedPod(ObjectKeys.Of(ns, pod.Metadata.Name), placement, strategy, pod.Spec?.Priority ?? 0);
    }

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
