using Handoff.Api.Mapping;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// A pod that names Handoff as its scheduler and waits for a node: in Core's terms (<see cref="Mapped"/>), or why it
/// cannot be read (<see cref="Problem"/>).
/// </summary>
public sealed record PlainPod(V1Pod Pod, string Key)
{
    public MappedPod? Mapped { get; init; }

    public string? Problem { get; init; }
}
