using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// A HandoffNode as one pass sees it: the Kubernetes Node it binds to, whether that Node is there and Ready, and what
/// the scheduler may use (<see cref="Info"/>; null when its spec cannot be used or another HandoffNode already claims
/// the same Node).
/// </summary>
public sealed record HandoffNodeState(HandoffNode Object, string KubernetesNode)
{
    public string Name => Object.Metadata.Name;

    /// <summary>Scheduling facts and capacity; null when the node is not used (invalid spec, duplicate).</summary>
    public NodeInfo? Info { get; init; }

    /// <summary>The Ready condition of its status.</summary>
    public bool Ready { get; init; }

    public required string ReadyReason { get; init; }

    public required string ReadyMessage { get; init; }
}
