using Handoff.Core.Allocation;

namespace Handoff.Api.Mapping;

/// <summary>
/// A plain pod that names Handoff as its scheduler, in Core's terms: its placement request (cost = its effective
/// request; its own nodeSelector, required node affinity and tolerations), strategy and priority.
/// <see cref="Key"/> is <c>namespace/name</c>; <see cref="Placement"/>'s id is <c>pods/namespace/name</c>, apart from
/// function ids.
/// </summary>
public sealed record MappedPod(string Key, PlacementRequest Placement, AllocationStrategy Strategy, int Priority)
{
    /// <summary>Its queue (annotation <c>handoff.dev/queue</c>), priority and preemption policy (<see cref="QueueMapper.TraitsOf(k8s.Models.V1Pod)"/>).</summary>
    public Core.Scheduling.SchedulingTraits Traits { get; init; } = Core.Scheduling.SchedulingTraits.None;
}
