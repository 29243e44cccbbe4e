using Handoff.Api.Mapping;
using Handoff.Operator.Controllers;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// A pod that names Handoff as its scheduler and waits for a node: in Core's terms (<see cref="Mapped"/>), or why it
/// cannot be read (<see cref="Problem"/>). <see cref="Pod"/> is the trimmed pod (its record's source).
/// </summary>
public sealed record PlainPod(PodRecord Record, string Key)
{
    public V1Pod Pod => Record.Source!;

    public MappedPod? Mapped { get; init; }

    public string? Problem { get; init; }
}
