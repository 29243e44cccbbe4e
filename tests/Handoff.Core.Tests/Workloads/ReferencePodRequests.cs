using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

/// <summary>
/// The effective request written out plainly, one resource at a time, from the rules as Kubernetes states them
/// (KEP-753 "InitContainerUse(i) = sum of the sidecars before i + init container i", KEP-2837 defaulting).
/// </summary>
internal static class ReferencePodRequests
{
    public static long Effective(PodResources pod, string name)
    {
        var podLevel = PodLevel(pod, name);
        return (podLevel ?? Aggregate(pod, c => Request(c, name))) + pod.Overhead[name];
    }

    // The request after the API server's defaulting: the request if set, else the limit if set.
    public static long? Request(ContainerResources container, string name) =>
        container.Requests.Contains(name) ? container.Requests[name] : container.Limits.Contains(name) ? container.Limits[name] : null;

    public static long Aggregate(PodResources pod, Func<ContainerResources, long?> amount)
    {
        long running = pod.Containers.Sum(c => amount(c) ?? 0) + pod.InitContainers.Where(c => c.RestartPolicyAlways).Sum(c => amount(c) ?? 0);
        long peak = 0;
        for (var i = 0; i < pod.InitContainers.Count; i++)
        {
            var sidecarsBefore = pod.InitContainers.Take(i).Where(c => c.RestartPolicyAlways).Sum(c => amount(c) ?? 0);
            peak = Math.Max(peak, sidecarsBefore + (amount(pod.InitContainers[i]) ?? 0));
        }

        return Math.Max(running, peak);
    }

    private static long? PodLevel(PodResources pod, string name)
    {
        var hugePages = name.StartsWith("hugepages-", StringComparison.Ordinal);
        if (name is not ("cpu" or "memory") && !hugePages)
        {
            return null;
        }

        if (pod.PodLevelRequests.Contains(name))
        {
            return pod.PodLevelRequests[name];
        }

        var all = pod.Containers.Concat(pod.InitContainers).ToList();
        if (pod.PodLevelLimits.Contains(name) && (hugePages || all.All(c => Request(c, name) is null)))
        {
            return pod.PodLevelLimits[name];
        }

        var anyPodLevel = pod.PodLevelRequests.Count > 0 || pod.PodLevelLimits.Count > 0;
        if (hugePages && anyPodLevel && all.Any(c => c.Limits.Contains(name)))
        {
            return Aggregate(pod, c => c.Limits.Contains(name) ? c.Limits[name] : null);
        }

        return null;
    }
}
