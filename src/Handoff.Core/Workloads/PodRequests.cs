using Handoff.Core.Resources;

namespace Handoff.Core.Workloads;

/// <summary>
/// A pod's effective request, as kube-scheduler computes it (k8s.io/component-helpers/resource PodRequests,
/// the formula of KEP-753 for sidecars and KEP-2837 for pod-level resources), from the pod as the API server
/// defaults it.
/// </summary>
public static class PodRequests
{
    /// <summary>
    /// Per resource: the larger of (a) the sum over regular containers and sidecars and (b) the peak while init
    /// containers run — each init container's request plus the sidecars started before it — then replaced by the
    /// pod-level request for cpu, memory and hugepages where the pod has one, plus <c>overhead</c>.
    /// Container requests are defaulted from limits first (see <see cref="ContainerResources.DefaultedRequests"/>),
    /// and pod-level requests from pod-level limits (<see cref="PodLevelRequests(PodResources, ResourceList)"/>),
    /// as the API server does when it creates the pod.
    /// </summary>
    /// <exception cref="ArgumentException">the pod has no containers.</exception>
    public static ResourceList Effective(PodResources pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Containers.Count == 0)
        {
            throw new ArgumentException("a pod needs at least one container", nameof(pod));
        }

        var containers = AggregateContainerRequests(pod);
        var podLevel = PodLevelRequests(pod, containers);
        var result = containers.SetEntries(podLevel);
        return result.Add(pod.Overhead);
    }

    /// <summary>
    /// The containers' part of the request (AggregateContainerRequests): max(sum of regular containers and
    /// sidecars, peak over init containers), with container requests defaulted from limits.
    /// </summary>
    public static ResourceList AggregateContainerRequests(PodResources pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return Aggregate(pod, static c => c.DefaultedRequests);
    }

    /// <summary>
    /// The pod-level requests that replace the containers' aggregate, after the API server's defaulting
    /// (defaultHugePagePodLimits, defaultPodRequests): an explicit pod-level request; else, for a resource with a
    /// pod-level limit, the limit — except cpu and memory that a container requests, which default to the
    /// containers' aggregate (the same value, so nothing is replaced); else, for hugepages that containers limit
    /// while the pod sets any pod-level resources, the containers' aggregate limit. Empty when nothing is replaced.
    /// </summary>
    public static ResourceList PodLevelRequests(PodResources pod, ResourceList aggregateContainerRequests)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(aggregateContainerRequests);
        if (pod.PodLevelRequests.Count == 0 && pod.PodLevelLimits.Count == 0)
        {
            return ResourceList.Empty;
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, amount) in pod.PodLevelRequests)
        {
            if (IsPodLevelResource(name))
            {
                result[name] = amount;
            }
        }

        foreach (var (name, amount) in pod.PodLevelLimits)
        {
            var overcommittable = name is ComputeResources.Cpu or ComputeResources.Memory;
            if (IsPodLevelResource(name) && !result.ContainsKey(name)
                && !(overcommittable && aggregateContainerRequests.Contains(name)))
            {
                result[name] = amount;
            }
        }

        if (pod.Containers.Concat(pod.InitContainers).Any(static c => c.Limits.Names.Any(ComputeResources.HasHugePagesPrefix)))
        {
            foreach (var (name, amount) in Aggregate(pod, static c => c.Limits))
            {
                if (ComputeResources.HasHugePagesPrefix(name))
                {
                    result.TryAdd(name, amount);
                }
            }
        }

        return result.Count == 0 ? ResourceList.Empty : ResourceList.FromMilli(result);
    }

    /// <summary>Names that pod-level <c>resources</c> may set: cpu, memory and hugepages-* (IsSupportedPodLevelResource).</summary>
    public static bool IsPodLevelResource(string name) =>
        name is ComputeResources.Cpu or ComputeResources.Memory || ComputeResources.HasHugePagesPrefix(name);

    internal static ResourceList Aggregate(PodResources pod, Func<ContainerResources, ResourceList> select)
    {
        var sum = ResourceList.Empty;
        foreach (var container in pod.Containers)
        {
            sum = sum.Add(select(container));
        }

        // While init container i runs, the sidecars started before it run too.
        var sidecars = ResourceList.Empty;
        var initPeak = ResourceList.Empty;
        foreach (var init in pod.InitContainers)
        {
            var amounts = select(init);
            if (init.RestartPolicyAlways)
            {
                sum = sum.Add(amounts);
                sidecars = sidecars.Add(amounts);
                initPeak = initPeak.Max(sidecars);
            }
            else
            {
                initPeak = initPeak.Max(amounts.Add(sidecars));
            }
        }

        return sum.Max(initPeak);
    }
}
