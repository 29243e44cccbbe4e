using Handoff.Core.Resources;

namespace Handoff.Core.Workloads;

/// <summary>What a function holds while it runs: its <c>spec.cost</c> completed by what its pod requests.</summary>
public static class EffectiveCost
{
    /// <summary>
    /// <paramref name="cost"/>, plus for each Kubernetes compute resource (see
    /// <see cref="ComputeResources.IsKubernetesComputeResource"/>) the pod's effective request
    /// (<see cref="PodRequests.Effective"/>); where both name a resource the larger counts. So a template that
    /// requests <c>nvidia.com/gpu: 1</c> needs no cost, and a cost never claims less than the pod will take.
    /// Handoff-only names come from the cost alone; 0 requests the cost does not name are left out.
    /// </summary>
    public static ResourceList Of(ResourceList cost, ResourceList podEffectiveRequest)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(podEffectiveRequest);
        var fromPod = podEffectiveRequest
            .Where(e => ComputeResources.IsKubernetesComputeResource(e.Key) && (e.Value > 0 || cost.Contains(e.Key)))
            .ToList();
        return fromPod.Count == 0 ? cost : cost.Max(ResourceList.FromMilli(fromPod));
    }

    /// <summary><see cref="Of(ResourceList, ResourceList)"/> with the effective request of <paramref name="pod"/>.</summary>
    public static ResourceList Of(ResourceList cost, PodResources pod) => Of(cost, PodRequests.Effective(pod));
}
