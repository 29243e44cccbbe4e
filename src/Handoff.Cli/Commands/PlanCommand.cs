using System.CommandLine;
using Handoff.Cli.Cluster;
using Handoff.Cli.Planning;
using Handoff.Core.Allocation;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff plan</c>: simulates scheduling of HandoffNode/HandoffFunction manifests, or of a live cluster plus new manifests.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "A manifest file, a directory of *.yaml/*.yml files (read recursively, in path order), or - for standard input. Repeatable. Required unless --live.",
            Arity = ArgumentArity.OneOrMore,
        };
        var strategy = new Option<string>("--strategy")
        {
            Description = "The strategy for functions that name none.",
            DefaultValueFactory = _ => nameof(AllocationStrategy.FirstAvailable),
        };
        strategy.AcceptOnlyFromAmong([.. Allocators.StrategyNames]);
        var output = new Option<string>("--output", "-o")
        {
            Description = "Output format: table, json, yaml, or svg (the plan as a Gantt chart).",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "json", "yaml", "svg");
        var live = new Option<bool>("--live")
        {
            Description = "Start from the live cluster's state (its HandoffNodes and running, pending and finished functions), adding the -f manifests if any: what would happen, without creating anything.",
        };
        var discover = DiscoverNodesOption.Create(
            "Plan as an operator run with --discover-nodes (and --discover-nodes-selector SELECTOR; bare: every Node): each Node of the input that matches and has no HandoffNode of its name gets the HandoffNode discovery creates (capacityFrom: Node, the Node's name and labels).");
        var kube = new KubeOptions(allNamespaces: false);

        var command = new Command("plan", "Simulate how Handoff would schedule the given HandoffNode and HandoffFunction manifests (or the live cluster plus new ones, with --live), and print the placement and a timeline.")
        {
            files,
            strategy,
            output,
            live,
            discover,
        };
        kube.AddTo(command);
        command.Validators.Add(result =>
        {
            if (!result.GetValue(live) && (result.GetValue(files) ?? []).Length == 0)
            {
                result.AddError("Option '--filename' is required (or --live, to plan from the cluster).");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            Allocators.TryParseStrategy(parseResult.GetValue(strategy), out var defaultStrategy);
            var error = parseResult.InvocationConfiguration.Error;
            ClusterTarget? target = null;
            if (parseResult.GetValue(live))
            {
                try
                {
                    target = kube.Resolve(parseResult);
                }
                catch (ClusterException e)
                {
                    await error.WriteLineAsync("error: " + e.Message);
                    return PlanRunner.ExitInvalidInput;
                }
            }

            return await PlanRunner.RunAsync(
                new PlanRequest
                {
                    Paths = parseResult.GetValue(files) ?? [],
                    DefaultStrategy = defaultStrategy,
                    Format = parseResult.GetValue(output) ?? "table",
                    Live = target,
                    DiscoverNodes = DiscoverNodesOption.Read(parseResult, discover),
                },
                CommandInput.StandardInput,
                parseResult.InvocationConfiguration.Output,
                error,
                TimeProvider.System,
                cancellationToken);
        });
        return command;
    }
}
