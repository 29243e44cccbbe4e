using System.CommandLine;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff plan</c>: simulates scheduling of HandoffNode/HandoffFunction manifests.</summary>
internal static class PlanCommand
{
    public static Command Create() => new("plan", "Simulate how Handoff would schedule the given manifests.");
}
