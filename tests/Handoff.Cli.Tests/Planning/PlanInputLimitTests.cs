using System.Text.Json;
using static Handoff.Cli.Tests.Planning.PlanHarness;

namespace Handoff.Cli.Tests.Planning;

/// <summary>
/// <c>handoff plan</c> checks Core's input limits as the operator does, from what a plan knows (the count of args and the
/// extraArgs; results are not known and count as empty), and ignores podGC and ttlSecondsAfterFinished.
/// </summary>
public sealed class PlanInputLimitTests
{
    private const string Node = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: n1}
        spec: {capacity: {cpu: "4"}}
        """;

    private static string FunctionDoc(string name, string spec) => $$"""
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata: {name: {{name}}, namespace: default}
        spec: {{spec}}
        """;

    private static string Template(int containers = 1) =>
        "{spec: {containers: [" + string.Join(", ", Enumerable.Range(0, containers).Select(i => $"{{name: c{i}, image: busybox}}")) + "]}}";

    private static (int Exit, string Output, string Error) Plan(params string[] documents)
    {
        using var dir = new TempManifests();
        var path = dir.Write("plan.yaml", string.Join("\n---\n", documents));
        var result = Run("-f", path, "-o", "json");
        return (result.Exit, result.Output, result.Error.Replace(path, "plan.yaml", StringComparison.Ordinal));
    }

    private static (string? Phase, string? Reason, string? Message) Outcome(JsonElement plan, string name)
    {
        var f = Function(plan, name);
        return (f.GetProperty("phase").GetString(), f.GetProperty("reason").GetString(), f.GetProperty("message").GetString());
    }

    [Fact]
    public void ExtraArgs_too_large_by_themselves_fail_with_InputTooLarge_once_the_args_succeeded()
    {
        var big = new string('x', 140_000);
        var (_, output, error) = Plan(Node,
            FunctionDoc("source", $"{{template: {Template()}}}"),
            FunctionDoc("huge", $"{{args: [source], extraArgs: [\"{big}\"], template: {Template()}}}"),
            FunctionDoc("after", $"{{args: [huge], template: {Template()}}}"));
        Assert.True(output.Length > 0, error);
        var plan = ParseJson(output);

        var (phase, reason, message) = Outcome(plan, "huge");
        Assert.Equal(("Failed", "InputTooLarge"), (phase, reason));
        Assert.Equal(
            "HANDOFF_ARGS would be 140007 bytes (1 result(s) of args, 1 extraArgs), more than the 131058 allowed (the kernel's 128 KiB limit on one environment string)",
            message);
        Assert.Equal(JsonValueKind.Null, Function(plan, "huge").GetProperty("node").ValueKind);
        Assert.Equal(("Failed", "DependencyFailed"), (Outcome(plan, "after").Phase, Outcome(plan, "after").Reason));
        Assert.Equal("Succeeded", Outcome(plan, "source").Phase);
    }

    [Fact]
    public void The_environment_of_every_container_counts()
    {
        var extra = "[" + string.Join(", ", Enumerable.Repeat($"\"{new string('x', 4000)}\"", 25)) + "]";
        var (_, output, error) = Plan(Node,
            FunctionDoc("five", $"{{extraArgs: {extra}, template: {Template(5)}}}"),
            FunctionDoc("six", $"{{extraArgs: {extra}, template: {Template(6)}}}"));
        Assert.True(output.Length > 0, error);
        var plan = ParseJson(output);

        Assert.Equal("Succeeded", Outcome(plan, "five").Phase);
        Assert.Equal(("Failed", "InputTooLarge"), (Outcome(plan, "six").Phase, Outcome(plan, "six").Reason));
        Assert.StartsWith("the HANDOFF_* environment of the pod's 6 container(s) would be ", Outcome(plan, "six").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_args_than_the_schema_allows_are_rejected_as_the_API_server_rejects_them()
    {
        var args = "[" + string.Join(", ", Enumerable.Range(0, 257).Select(i => $"a{i}")) + "]";
        var (exit, output, error) = Plan(Node, FunctionDoc("wide", $"{{args: {args}, template: {Template()}}}"));

        Assert.Equal(1, exit);
        Assert.DoesNotContain("\"wide\"", output, StringComparison.Ordinal); // Left out; the rest (here nothing) planned.
        Assert.Contains("HandoffFunction default/wide: spec.args: Too many: 257: must have at most 256 items", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PodGC_and_TTL_do_not_change_the_plan()
    {
        var plain = Plan(Node, FunctionDoc("a", $"{{cost: {{cpu: \"2\"}}, template: {Template()}}}"), FunctionDoc("b", $"{{args: [a], template: {Template()}}}"));
        var collected = Plan(Node,
            FunctionDoc("a", $"{{cost: {{cpu: \"2\"}}, podGC: OnCompletion, ttlSecondsAfterFinished: 0, template: {Template()}}}"),
            FunctionDoc("b", $"{{args: [a], podGC: OnSuccess, ttlSecondsAfterFinished: 60, template: {Template()}}}"));

        Assert.True(plain.Exit == 0, plain.Error);
        Assert.Equal(plain, collected);
    }
}
