using System.CommandLine;
using Handoff.Cli.Planning;
using Handoff.Core.Allocation;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff plan</c>: simulates scheduling of HandoffNode/HandoffFunction manifests.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "A manifest file, a directory of *.yaml/*.yml files (read recursively, in path order), or - for standard input. Repeatable.",
            Required = true,
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
            Description = "Output format.",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "json", "yaml");

        var command = new Command("plan", "Simulate how Handoff would schedule the given HandoffNode and HandoffFunction manifests, and print the placement and a timeline.")
        {
            files,
            strategy,
            output,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            Allocators.TryParseStrategy(parseResult.GetValue(strategy), out var defaultStrategy);
            var exit = PlanRunner.Run(
                parseResult.GetValue(files) ?? [],
                defaultStrategy,
                parseResult.GetValue(output) ?? "table",
                parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error,
                cancellationToken);
            return Task.FromResult(exit);
        });
        return command;
    }
}
