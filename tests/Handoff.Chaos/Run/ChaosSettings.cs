namespace Handoff.Chaos.Run;

/// <summary>The size of a chaos run; together with a seed it determines the workload and the fault plan.</summary>
public sealed record ChaosSettings
{
    /// <summary>HandoffFunctions per seed.</summary>
    public int Functions { get; init; } = 150;

    /// <summary>How fast functions arrive (per second); the arrival window is Functions / this, at least 10 s.</summary>
    public double ArrivalsPerSecond { get; init; } = 30;

    /// <summary>Lease timings of the operator replicas (short, so that takeovers happen within a run).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>How long the cluster may take to settle after the last fault before the run counts as not converged.</summary>
    public TimeSpan ConvergenceTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Where a run keeps the operators' logs and, when it finds a violation, the journal (null = a temporary directory, removed after a clean run).</summary>
    public string? ArtifactsDirectory { get; init; }

    /// <summary>The operator build the replicas run: an executable, or a <c>.dll</c> run with <c>dotnet</c> (null = the one built next to the runner).</summary>
    public string? OperatorBinary { get; init; }

    public TimeSpan ArrivalWindow => TimeSpan.FromSeconds(Math.Max(10, Functions / ArrivalsPerSecond));

    /// <summary>Faults are injected from 1 s after the start until shortly after the last arrival, while the operator is busy.</summary>
    public TimeSpan FaultWindow => ArrivalWindow + TimeSpan.FromSeconds(2);
}
