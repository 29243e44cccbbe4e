using Handoff.Core.Nodes;
using Handoff.Core.Resources;

namespace Handoff.Core.Allocation;

/// <summary>
/// One function asking for a node. <see cref="Id"/> identifies it (the operator and planner use
/// <c>namespace/name</c>) and is the tracker holder key.
/// </summary>
public sealed record PlacementRequest(string Id, ResourceList Cost)
{
    /// <summary>Only nodes whose labels contain all these pairs are eligible. Null or empty = any node.</summary>
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    /// <summary>Pinned node name (still capacity-checked). Null = any node.</summary>
    public string? Node { get; init; }

    /// <summary>Id of the function this one must be collocated with. Null = no collocation.</summary>
    public string? CollocateWith { get; init; }

    /// <summary>
    /// The node <see cref="CollocateWith"/> was placed on, once known. While it is null and
    /// <see cref="CollocateWith"/> is set, the request waits (Pending) and no node is chosen.
    /// </summary>
    public string? CollocateNode { get; init; }

    /// <summary>The pod's tolerations: every NoSchedule/NoExecute taint of a node must be tolerated.</summary>
    public IReadOnlyList<Toleration> Tolerations { get; init; } = [];

    /// <summary>The pod's own nodeSelector and required node affinity, matched against the Kubernetes Node; null = none.</summary>
    public RequiredNodeAffinity? Affinity { get; init; }

    /// <summary>What asks: "Function" or "Pod" (kube-scheduler's messages name the pod).</summary>
    public string Subject { get; init; } = "Function";
}
