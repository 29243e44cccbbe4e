using System.CommandLine;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff sandbox</c>: runs the simulated Kubernetes API server (and later the operator).</summary>
internal static class SandboxCommand
{
    public static Command Create() => new("sandbox", "Run a simulated Kubernetes cluster on 127.0.0.1 (not a real cluster).");
}
