using CsCheck;
using Handoff.Core.Resources;
using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

/// <summary>Random pods over a small mix of Kubernetes and Handoff-only resource names.</summary>
internal static class WorkloadGenerators
{
    public static readonly string[] Names = ["cpu", "memory", "nvidia.com/gpu", "hugepages-2Mi", "ephemeral-storage", "gpu", "handoff.dev/slot"];

    public static Gen<ResourceList> GenList(int maxEntries) =>
        Gen.Select(Gen.Int[0, Names.Length - 1], Gen.Long[0, 4000]).Array[0, maxEntries].Select(entries =>
            ResourceList.FromMilli(entries.DistinctBy(e => e.Item1).Select(e => KeyValuePair.Create(Names[e.Item1], e.Item2))));

    // Mostly empty: overheads and pod-level resources are the exception.
    private static Gen<ResourceList> GenRare(int maxEntries) =>
        Gen.Select(Gen.Int[0, 3], GenList(maxEntries)).Select((dice, list) => dice == 0 ? list : ResourceList.Empty);

    public static readonly Gen<ContainerResources> GenContainer =
        Gen.Select(GenList(3), GenList(2), Gen.Bool).Select((requests, limits, always) => new ContainerResources(requests, limits, always));

    public static readonly Gen<PodResources> GenPod =
        Gen.Select(GenContainer.Array[1, 3], GenContainer.Array[0, 3], GenRare(2), GenRare(2), GenRare(2)).Select(
            (containers, inits, overhead, podRequests, podLimits) => new PodResources
            {
                Containers = containers,
                InitContainers = inits,
                Overhead = overhead,
                PodLevelRequests = podRequests,
                PodLevelLimits = podLimits,
            });

    /// <summary>
    /// Pods the API server accepts as far as requests and limits go: a container's limit is never below its request,
    /// and extended resources and hugepages that a container requests it also limits, equally.
    /// </summary>
    public static readonly Gen<PodResources> GenValidPod = GenPod.Select(pod => pod with
    {
        Containers = [.. pod.Containers.Select(Valid)],
        InitContainers = [.. pod.InitContainers.Select(Valid)],
    });

    private static ContainerResources Valid(ContainerResources container)
    {
        var limits = container.Limits.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        foreach (var (name, request) in container.Requests)
        {
            if (!ComputeResources.IsOvercommitAllowed(name))
            {
                limits[name] = request;
            }
            else if (limits.TryGetValue(name, out var limit) && limit < request)
            {
                limits[name] = request;
            }
        }

        return container with { Limits = ResourceList.FromMilli(limits) };
    }

    /// <summary>Every name a pod or list mentions, and the rest of <see cref="Names"/>.</summary>
    public static IEnumerable<string> Universe(params ResourceList[] lists) => Names.Concat(lists.SelectMany(l => l.Names)).Distinct();
}
