using System.CommandLine;
using System.Text.Json;
using Handoff.Cli.Commands;
using Handoff.Testing;

namespace Handoff.Cli.Tests.Planning;

/// <summary>Runs <c>handoff plan</c> in-process and captures its output.</summary>
internal static class PlanHarness
{
    public static string Examples => RepoPaths.Examples;

    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(PlanCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = root.Parse(["plan", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    public static JsonElement ParseJson(string output) => JsonDocument.Parse(output).RootElement.Clone();

    public static JsonElement Function(JsonElement plan, string name) =>
        plan.GetProperty("functions").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);

    public static JsonElement Node(JsonElement plan, string name) =>
        plan.GetProperty("nodes").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);
}
