namespace Handoff.Api.Mapping;

/// <summary>What a pod is to Handoff (<see cref="PodMapper.RoleOf(k8s.Models.V1Pod, string)"/>).</summary>
public enum PodRole
{
    /// <summary>A HandoffFunction's pod (label <c>handoff.dev/function</c>).</summary>
    FunctionPod,

    /// <summary>A plain pod Handoff bound: it holds capacity of the HandoffNode its annotation names while it lives.</summary>
    PlacedByHandoff,

    /// <summary>A live pod bound by someone else: it holds what it requests on its Node.</summary>
    External,

    /// <summary>An unbound pod that names Handoff as its scheduler: Handoff places it.</summary>
    WaitingForHandoff,

    /// <summary>A pod Handoff did not place that has finished: it holds nothing.</summary>
    Finished,

    /// <summary>An unbound pod of another scheduler: it holds nothing yet.</summary>
    OtherScheduler,
}
