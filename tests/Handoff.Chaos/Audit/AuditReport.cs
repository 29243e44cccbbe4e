namespace Handoff.Chaos.Audit;

/// <summary>The auditor's findings and what it looked at.</summary>
public sealed record AuditReport
{
    public required IReadOnlyList<Violation> Violations { get; init; }

    /// <summary>Writes replayed, and how many of them the operator replicas made.</summary>
    public int Writes { get; init; }

    public int OperatorWrites { get; init; }

    /// <summary>Function pods created and bindings checked against capacity.</summary>
    public int Pods { get; init; }

    public int Bindings { get; init; }

    /// <summary>Times the lease went to another replica.</summary>
    public int LeaderChanges { get; init; }

    /// <summary>Functions whose final state was checked, and how many succeeded.</summary>
    public int Functions { get; init; }

    public int Succeeded { get; init; }

    /// <summary>Functions incarnations deleted mid-run (their phase history is still checked).</summary>
    public int Deleted { get; init; }

    public IReadOnlyList<PauseFencing> Pauses { get; init; } = [];
}
