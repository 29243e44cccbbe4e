using System.CommandLine;
using Handoff.Cli.Commands;

var root = new RootCommand("Handoff: a resource-aware DAG scheduler for Kubernetes.");
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(SandboxCommand.Create());
return await root.Parse(args).InvokeAsync();
