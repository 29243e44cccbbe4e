using Handoff.Core.Resources;

namespace Handoff.Core.Workloads;

/// <summary>
/// What of a pod (or pod template) decides what it costs: its containers, init containers (sidecars among them),
/// <c>overhead</c> (from its RuntimeClass), and pod-level <c>resources</c> (<c>spec.resources</c>, the
/// PodLevelResources feature, on by default since Kubernetes 1.34). A pod needs at least one container.
/// </summary>
public sealed record PodResources
{
    /// <summary>Regular containers, in order; the first is the one Handoff raises (see <see cref="PodResourcePatch"/>).</summary>
    public required IReadOnlyList<ContainerResources> Containers { get; init; }

    /// <summary>Init containers in order; those with <see cref="ContainerResources.RestartPolicyAlways"/> are sidecars.</summary>
    public IReadOnlyList<ContainerResources> InitContainers { get; init; } = [];

    /// <summary><c>spec.overhead</c>: added to the pod's requests.</summary>
    public ResourceList Overhead { get; init; } = ResourceList.Empty;

    /// <summary><c>spec.resources.requests</c>; only cpu, memory and hugepages-* count there.</summary>
    public ResourceList PodLevelRequests { get; init; } = ResourceList.Empty;

    /// <summary><c>spec.resources.limits</c>; only cpu, memory and hugepages-* count there.</summary>
    public ResourceList PodLevelLimits { get; init; } = ResourceList.Empty;

    /// <summary>A pod with these regular containers and nothing else.</summary>
    public static PodResources Of(params ContainerResources[] containers) => new() { Containers = containers };
}
