using Handoff.Core.Resources;

namespace Handoff.Core.Workloads;

/// <summary>
/// The resource entries Handoff sets on a function's pod so that the pod claims the function's effective cost
/// from Kubernetes (the kubelet's admission, the device plugins and the cgroups then see what Handoff holds).
/// Each list holds only the entries to set — name → new amount, every one at least the pod's current value —
/// so the operator writes them into <c>V1Container.Resources</c> and <c>V1PodSpec.Resources</c> and leaves
/// everything else as the template has it. Handoff-only names (see <see cref="ComputeResources"/>) never appear.
/// </summary>
public sealed record PodResourcePatch
{
    /// <summary>Nothing to set: the pod already claims the cost.</summary>
    public static PodResourcePatch None { get; } = new();

    /// <summary>Entries to set in the first container's <c>resources.requests</c>.</summary>
    public ResourceList FirstContainerRequests { get; init; } = ResourceList.Empty;

    /// <summary>Entries to set in the first container's <c>resources.limits</c>.</summary>
    public ResourceList FirstContainerLimits { get; init; } = ResourceList.Empty;

    /// <summary>Entries to set in the pod's <c>spec.resources.requests</c> (only where pod-level resources decide).</summary>
    public ResourceList PodLevelRequests { get; init; } = ResourceList.Empty;

    /// <summary>Entries to set in the pod's <c>spec.resources.limits</c>.</summary>
    public ResourceList PodLevelLimits { get; init; } = ResourceList.Empty;

    /// <summary>True when there is nothing to set.</summary>
    public bool IsEmpty =>
        FirstContainerRequests.Count == 0 && FirstContainerLimits.Count == 0 && PodLevelRequests.Count == 0 && PodLevelLimits.Count == 0;

    /// <summary>
    /// What to set so that, for every Kubernetes compute resource of <paramref name="effectiveCost"/>, the pod's
    /// effective request (<see cref="PodRequests.Effective"/>) is at least the cost — exactly the cost where it was
    /// below. Nothing is ever lowered.
    /// <list type="bullet">
    /// <item>Where containers decide a resource, the first container's request is raised by what the regular
    /// containers and sidecars fall short of (cost − overhead − their sum): raising it by the shortfall of the
    /// effective request would not be enough when an init container's peak is what the pod requests now.</item>
    /// <item>For extended resources and hugepages the first container's limit is set equal to its new request:
    /// Kubernetes requires it, and without it the device plugin attaches no device.</item>
    /// <item>For cpu, memory and ephemeral-storage a limit the first container already has is raised to the new
    /// request when it would be below it (Kubernetes rejects a request above the limit); a missing limit stays
    /// missing. A pod-level limit below the pod's new request is raised to it as well.</item>
    /// <item>Where pod-level <c>resources</c> decide a resource (see <see cref="PodRequests.PodLevelRequests"/>),
    /// the pod-level request is set to cost − overhead instead, and a pod-level limit that is, or that the API
    /// server would default to, less than that is raised to it.</item>
    /// </list>
    /// </summary>
    /// <exception cref="ArgumentException">the pod has no containers.</exception>
    public static PodResourcePatch For(ResourceList effectiveCost, PodResources pod)
    {
        ArgumentNullException.ThrowIfNull(effectiveCost);
        var effective = PodRequests.Effective(pod);
        var podLevel = PodRequests.PodLevelRequests(pod, PodRequests.AggregateContainerRequests(pod));
        var first = pod.Containers[0];
        var firstRequests = first.DefaultedRequests;

        var requests = new Dictionary<string, long>(StringComparer.Ordinal);
        var limits = new Dictionary<string, long>(StringComparer.Ordinal);
        var podRequests = new Dictionary<string, long>(StringComparer.Ordinal);
        var podLimits = new Dictionary<string, long>(StringComparer.Ordinal);
        ResourceList? containerLimits = null;
        foreach (var (name, cost) in effectiveCost)
        {
            if (!ComputeResources.IsKubernetesComputeResource(name) || cost <= effective[name])
            {
                continue;
            }

            // The effective request includes the overhead, so cost > effective >= overhead and need > 0.
            var need = checked(cost - pod.Overhead[name]);
            if (podLevel.Contains(name))
            {
                podRequests[name] = need;
                containerLimits ??= PodRequests.Aggregate(pod, static c => c.Limits);
                if (PodLimitBelow(pod, name, need, containerLimits))
                {
                    podLimits[name] = need;
                }

                continue;
            }

            var shortfall = need - SumOfRunningContainers(pod, name);
            var request = checked(firstRequests[name] + shortfall);
            requests[name] = request;
            if (!ComputeResources.IsOvercommitAllowed(name) || (first.Limits.Contains(name) && first.Limits[name] < request))
            {
                limits[name] = request;
            }

            // The pod's request of name becomes need; a pod-level limit may not be below it.
            if (PodRequests.IsPodLevelResource(name) && pod.PodLevelLimits.Contains(name) && pod.PodLevelLimits[name] < need)
            {
                podLimits[name] = need;
            }
        }

        if (requests.Count == 0 && podRequests.Count == 0)
        {
            return None;
        }

        return new PodResourcePatch
        {
            FirstContainerRequests = ResourceList.FromMilli(requests),
            FirstContainerLimits = ResourceList.FromMilli(limits),
            PodLevelRequests = ResourceList.FromMilli(podRequests),
            PodLevelLimits = ResourceList.FromMilli(podLimits),
        };
    }

    /// <summary>
    /// <paramref name="pod"/> with these entries set — what the pod will look like; <c>handoff plan</c> and tests
    /// use it, the operator sets the same entries on the V1Pod.
    /// </summary>
    public PodResources ApplyTo(PodResources pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (IsEmpty)
        {
            return pod;
        }

        var first = pod.Containers[0];
        var patchedFirst = first with
        {
            Requests = first.Requests.SetEntries(FirstContainerRequests),
            Limits = first.Limits.SetEntries(FirstContainerLimits),
        };
        return pod with
        {
            Containers = [patchedFirst, .. pod.Containers.Skip(1)],
            PodLevelRequests = pod.PodLevelRequests.SetEntries(PodLevelRequests),
            PodLevelLimits = pod.PodLevelLimits.SetEntries(PodLevelLimits),
        };
    }

    // Regular containers and sidecars: what runs once the pod is up; the first container's raise adds to it.
    private static long SumOfRunningContainers(PodResources pod, string name)
    {
        long sum = 0;
        foreach (var container in pod.Containers)
        {
            sum = checked(sum + container.DefaultedRequests[name]);
        }

        foreach (var init in pod.InitContainers)
        {
            if (init.RestartPolicyAlways)
            {
                sum = checked(sum + init.DefaultedRequests[name]);
            }
        }

        return sum;
    }

    // Whether the pod-level limit of name, as the pod will have it, is below need: an explicit one, or for cpu and
    // memory the one the API server defaults from the containers (defaultPodLimits: when the pod sets no pod-level
    // limit and every container limits the resource, the pod-level limit is the containers' aggregate limit).
    private static bool PodLimitBelow(PodResources pod, string name, long need, ResourceList containerLimits)
    {
        if (pod.PodLevelLimits.Contains(name))
        {
            return pod.PodLevelLimits[name] < need;
        }

        var defaulted = name is ComputeResources.Cpu or ComputeResources.Memory
            && !pod.PodLevelLimits.Names.Any(PodRequests.IsPodLevelResource)
            && pod.Containers.Concat(pod.InitContainers).All(c => c.Limits.Contains(name));
        return defaulted && containerLimits[name] < need;
    }
}
