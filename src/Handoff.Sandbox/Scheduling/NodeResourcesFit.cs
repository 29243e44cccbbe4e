using Handoff.Sandbox.Pods;

namespace Handoff.Sandbox.Scheduling;

/// <summary>A resource the node lacks for the pod, in the units of the kubelet's message (milli-cores for cpu, bytes for memory).</summary>
internal sealed record InsufficientResource(string Name, long Requested, long Used, long Capacity)
{
    /// <summary>kube-scheduler's reason: <c>Insufficient cpu</c>, or <c>Too many pods</c>.</summary>
    public string SchedulerReason => Name == "pods" ? "Too many pods" : "Insufficient " + Name;

    /// <summary>The kubelet's admission reason: <c>OutOfcpu</c>, <c>OutOfmemory</c>, <c>OutOfpods</c>, <c>OutOfnvidia.com/gpu</c>.</summary>
    public string KubeletReason => "OutOf" + Name;

    /// <summary>The kubelet's admission message (InsufficientResourceError).</summary>
    public string KubeletMessage => $"Node didn't have enough resource: {Name}, requested: {Requested}, used: {Used}, capacity: {Capacity}";
}

/// <summary>The NodeResourcesFit filter (noderesources.Fits): the pod count, then cpu, memory, ephemeral-storage, then the scalar resources.</summary>
internal static class NodeResourcesFit
{
    /// <param name="request">The pod's effective request.</param>
    /// <param name="allocatable">The node's <c>status.allocatable</c>.</param>
    /// <param name="used">The summed effective requests of the pods already on the node.</param>
    /// <param name="podsOnNode">How many pods are on the node.</param>
    /// <param name="ignoreMissingExtended">The kubelet's rule: extended resources the node does not list are not checked (cluster-level resources).</param>
    public static List<InsufficientResource> Check(ResourceAmounts request, ResourceAmounts allocatable, ResourceAmounts used, int podsOnNode, bool ignoreMissingExtended)
    {
        var result = new List<InsufficientResource>();
        var allowedPods = (long)allocatable.Get("pods");
        if (podsOnNode + 1 > allowedPods)
        {
            result.Add(new InsufficientResource("pods", 1, podsOnNode, allowedPods));
        }

        var scalars = request.Keys.Where(n => n is not ("cpu" or "memory" or "ephemeral-storage" or "pods") && IsScalar(n)).Order(StringComparer.Ordinal);
        foreach (var name in new[] { "cpu", "memory", "ephemeral-storage" }.Concat(scalars))
        {
            var wanted = request.Get(name);
            if (wanted <= 0 || (ignoreMissingExtended && ResourceAmounts.IsExtended(name) && !allocatable.ContainsKey(name)))
            {
                continue;
            }

            var capacity = allocatable.Get(name);
            var inUse = used.Get(name);
            if (wanted > capacity - inUse)
            {
                result.Add(new InsufficientResource(name, ResourceAmounts.MessageUnits(name, wanted), ResourceAmounts.MessageUnits(name, inUse), ResourceAmounts.MessageUnits(name, capacity)));
            }
        }

        return result;
    }

    /// <summary>Extended resources and hugepages: the names the scheduler counts beside cpu, memory and ephemeral-storage.</summary>
    private static bool IsScalar(string name) => ResourceAmounts.IsExtended(name) || name.StartsWith("hugepages-", StringComparison.Ordinal);
}
