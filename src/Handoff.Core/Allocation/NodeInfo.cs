using System.Collections.ObjectModel;
using Handoff.Core.Nodes;
using Handoff.Core.Resources;

namespace Handoff.Core.Allocation;

/// <summary>
/// What the allocators know about a node besides its tracked capacity: its name, labels (for node selectors),
/// whether it is cordoned and whether it is Ready. <see cref="Capacity"/> is the node's declared capacity, used to
/// register it with a tracker; allocators read capacity and availability from the tracker.
/// </summary>
public sealed record NodeInfo(string Name, ResourceList Capacity)
{
    /// <summary>Node labels matched against a function's node selector.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>True = cordoned: no new functions.</summary>
    public bool Unschedulable { get; init; }

    /// <summary>False = the backing Kubernetes node is missing or not Ready: no new functions.</summary>
    public bool Ready { get; init; } = true;

    /// <summary>
    /// True when the capacity comes from the Kubernetes Node (<c>capacityFrom: Node</c>): every pod placed here also
    /// takes one <c>pods</c> (<see cref="NodeEligibility.PodsResource"/>).
    /// </summary>
    public bool CountsPods { get; init; }

    /// <summary>The Kubernetes Node's taints (only NoSchedule and NoExecute keep pods off).</summary>
    public IReadOnlyList<Taint> Taints { get; init; } = [];

    /// <summary>
    /// The Kubernetes Node as node affinity and a pod's own <c>nodeSelector</c> see it (its name and labels); null = the
    /// HandoffNode's name and labels stand for it.
    /// </summary>
    public LabeledNode? KubernetesNode { get; init; }

    /// <summary>What affinity is matched against.</summary>
    public LabeledNode AffinityTarget => KubernetesNode ?? new LabeledNode(Name, Labels);
}
