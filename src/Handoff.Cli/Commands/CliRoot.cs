using System.CommandLine;

namespace Handoff.Cli.Commands;

/// <summary>The <c>handoff</c> command (also run as <c>kubectl handoff</c>, the same program under the plugin's name).</summary>
internal static class CliRoot
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Handoff: a resource-aware DAG scheduler for Kubernetes. Run as handoff or as the kubectl plugin kubectl handoff.");
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(SandboxCommand.Create());
        root.Subcommands.Add(WhyCommand.Create());
        root.Subcommands.Add(GraphCommand.Create());
        root.Subcommands.Add(TopCommand.Create());
        root.Subcommands.Add(GanttCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        root.Subcommands.Add(CompletionCommand.CreateKubectlProtocol(Create));
        return root;
    }
}
