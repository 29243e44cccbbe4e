using Handoff.Chaos.Audit;
using Handoff.Chaos.Faults;

namespace Handoff.Chaos.Run;

/// <summary>What one seed's run did and what the auditor found.</summary>
public sealed record ChaosResult
{
    public required int Seed { get; init; }

    public required int Functions { get; init; }

    public required int Replicas { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Faults carried out, by kind.</summary>
    public required IReadOnlyDictionary<FaultKind, int> Faults { get; init; }

    public int FaultsSkipped { get; init; }

    public int TriggerTimeouts { get; init; }

    /// <summary>Operator processes started (the first ones and every replacement).</summary>
    public int OperatorStarts { get; init; }

    public int FlakyRecoveries { get; init; }

    public required AuditReport Audit { get; init; }

    /// <summary>The auditor's violations, and <see cref="ViolationKind.NotConverged"/> if the cluster did not settle.</summary>
    public required IReadOnlyList<Violation> Violations { get; init; }

    /// <summary>Where the run's logs, plan, timeline and (on violations) journal are kept; null when removed after a clean run.</summary>
    public string? Artifacts { get; init; }

    public int FaultCount(params FaultKind[] kinds) => kinds.Sum(k => Faults.GetValueOrDefault(k));
}
