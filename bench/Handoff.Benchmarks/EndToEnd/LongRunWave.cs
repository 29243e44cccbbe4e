namespace Handoff.Benchmarks.EndToEnd;

/// <summary>One wave of a long run: its functions created, run and finished; what the operator used meanwhile.</summary>
public sealed record LongRunWave
{
    public required int Wave { get; init; }

    public required int Functions { get; init; }

    /// <summary>First create → last function seen Succeeded.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The operator's highest working set sampled during the wave, and when it ended.</summary>
    public required long PeakWorkingSetBytes { get; init; }

    public required long EndWorkingSetBytes { get; init; }

    public required long PeakHeapBytes { get; init; }

    public required long Passes { get; init; }

    public required TimeSpan PassTime { get; init; }

    public double MeanPassMs => Passes == 0 ? 0 : PassTime.TotalMilliseconds / Passes;

    public required TimeSpan OperatorCpu { get; init; }

    /// <summary>HandoffFunctions and function pods left in the cluster (all waves so far) when the wave ended.</summary>
    public required long FunctionsLeft { get; init; }

    public required long PodsLeft { get; init; }

    public required double Load { get; init; }
}
