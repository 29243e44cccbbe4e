using System.CommandLine;
using Handoff.Core.Nodes;

namespace Handoff.Cli.Commands;

/// <summary>
/// <c>--discover-nodes[=SELECTOR]</c> of <c>handoff plan</c> and <c>handoff sandbox</c>: the operator's
/// <c>--discover-nodes</c> with <c>--discover-nodes-selector</c> in one option (bare: every Node).
/// </summary>
internal static class DiscoverNodesOption
{
    public static Option<string?> Create(string description) => new("--discover-nodes")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "SELECTOR",
        Validators =
        {
            result =>
            {
                try
                {
                    LabelSelectorParser.Parse(result.Tokens.Count == 0 ? "" : result.Tokens[0].Value);
                }
                catch (FormatException e)
                {
                    result.AddError($"--discover-nodes: {e.Message}");
                }
            },
        },
    };

    /// <summary>The selector asked for: null without the option, "" (every Node) when it is bare.</summary>
    public static string? Read(ParseResult parseResult, Option<string?> option) =>
        parseResult.GetResult(option) is null ? null : parseResult.GetValue(option) ?? "";
}
