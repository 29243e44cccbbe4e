namespace Handoff.Chaos.Faults;

/// <summary>
/// One fault of a seed's plan: what, when (from the start of the run), for how long, and the seeded choices it needs
/// (<see cref="Pick"/> chooses a node, a function, a resource or a verb among the candidates, <see cref="Amount"/> a
/// fraction such as how deep a capacity cut goes). <see cref="Repeat"/> is how many times a storm repeats.
/// </summary>
public sealed record PlannedFault(FaultKind Kind, TimeSpan At, TimeSpan Duration, int Pick, double Amount, int Repeat, bool TargetsStandby)
{
    public override string ToString() =>
        $"{At.TotalSeconds,6:F2}s {Kind}{(Duration > TimeSpan.Zero ? $" for {Duration.TotalMilliseconds:F0}ms" : "")}{(TargetsStandby ? " (standby)" : "")}";
}
