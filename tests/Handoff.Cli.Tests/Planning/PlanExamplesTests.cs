using System.Text.Json;
using static Handoff.Cli.Tests.Planning.PlanHarness;

namespace Handoff.Cli.Tests.Planning;

public sealed class PlanExamplesTests
{
    private static (string Phase, string? Node, int Attempts, double? Start, double? End) Summary(JsonElement f) => (
        f.GetProperty("phase").GetString()!,
        f.GetProperty("node").GetString(),
        f.GetProperty("attempts").GetInt32(),
        f.GetProperty("start").ValueKind == JsonValueKind.Null ? null : f.GetProperty("start").GetDouble(),
        f.GetProperty("end").ValueKind == JsonValueKind.Null ? null : f.GetProperty("end").GetDouble());

    [Fact]
    public void Seed_places_each_task_where_its_resources_are()
    {
        var (exit, output, error) = Run("-f", Path.Combine(Examples, "seed"), "-o", "json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var plan = ParseJson(output);
        Assert.Equal(["seed-cpu-task", "seed-gpu-task", "seed-custom-task", "seed-second-gpu-task"],
            plan.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(("Succeeded", "seed-node-a", 1, 0.0, 2.0), Summary(Function(plan, "seed-cpu-task")));
        Assert.Equal(("Succeeded", "seed-node-a", 1, 0.0, 3.0), Summary(Function(plan, "seed-gpu-task")));
        Assert.Equal(("Succeeded", "seed-node-b", 1, 0.0, 1.0), Summary(Function(plan, "seed-custom-task")));
        // seed-node-b has no gpu; on seed-node-a the gpu task holds 8000 memory until t=3, so 10000 more fits only then
        // (the cpu task's 4000 released at t=2 is not enough).
        Assert.Equal(("Succeeded", "seed-node-a", 1, 3.0, 4.0), Summary(Function(plan, "seed-second-gpu-task")));
        Assert.Equal("default", Function(plan, "seed-cpu-task").GetProperty("namespace").GetString());
        var nodeA = Node(plan, "seed-node-a").GetProperty("peak");
        Assert.Equal("6", nodeA.GetProperty("cpu").GetString());
        Assert.Equal("12000", nodeA.GetProperty("memory").GetString());
        Assert.Equal("1", nodeA.GetProperty("gpu").GetString());
        Assert.Equal("1", Node(plan, "seed-node-b").GetProperty("peak").GetProperty("specialized_hardware").GetString());
        Assert.Equal(4.0, plan.GetProperty("makespan").GetDouble());
    }

    [Fact]
    public void Dag_runs_source_then_both_branches_then_the_join_on_the_source_node()
    {
        var (exit, output, _) = Run("-f", Path.Combine(Examples, "dag", "dag.yaml"), "--output", "json");
        Assert.Equal(0, exit);
        var plan = ParseJson(output);
        Assert.Equal(("Succeeded", "dag-worker-1", 1, 0.0, 1.0), Summary(Function(plan, "dag-source")));
        // LoadBalanced spreads the branches over both workers.
        Assert.Equal(("Succeeded", "dag-worker-1", 1, 1.0, 3.0), Summary(Function(plan, "dag-double")));
        Assert.Equal(("Succeeded", "dag-worker-2", 1, 1.0, 2.5), Summary(Function(plan, "dag-increment")));
        // collocateWith dag-source.
        Assert.Equal(("Succeeded", "dag-worker-1", 1, 3.0, 4.0), Summary(Function(plan, "dag-sum")));
        Assert.Equal("LoadBalanced", Function(plan, "dag-double").GetProperty("strategy").GetString());
        Assert.Equal("8Gi", Node(plan, "dag-worker-1").GetProperty("capacity").GetProperty("memory").GetString());
        Assert.Equal(4.0, plan.GetProperty("makespan").GetDouble());
    }

    [Fact]
    public void Unschedulable_functions_say_why_and_their_dependents_wait()
    {
        var (exit, output, error) = Run("-f", Path.Combine(Examples, "unschedulable"), "-o", "json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var plan = ParseJson(output);
        var tooBig = Function(plan, "too-big");
        Assert.Equal(("Pending", null, 0, null, null), Summary(tooBig));
        Assert.Equal("Unschedulable", tooBig.GetProperty("reason").GetString());
        Assert.Equal(
            "0/1 nodes are available: 1 Insufficient cpu. Unschedulable: the cost (cpu=64, memory=1000) exceeds the total capacity of every eligible node.",
            tooBig.GetProperty("message").GetString());
        Assert.Equal(("Waiting", null, 0, null, null), Summary(Function(plan, "after-too-big")));
        Assert.Contains("too-big", Function(plan, "after-too-big").GetProperty("message").GetString(), StringComparison.Ordinal);
        var wrongZone = Function(plan, "wrong-zone");
        Assert.Equal(("Pending", "Unschedulable"), (wrongZone.GetProperty("phase").GetString(), wrongZone.GetProperty("reason").GetString()));
        Assert.Contains("1 node(s) didn't match Function's node selector", wrongZone.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.0, plan.GetProperty("makespan").GetDouble());
    }

    [Fact]
    public void Retries_keep_going_until_maxRetries_then_dependents_fail()
    {
        var (exit, output, _) = Run("-f", Path.Combine(Examples, "retries"), "-o", "json");
        Assert.Equal(0, exit);
        var plan = ParseJson(output);
        // Attempts at 0, 11 (after 10 s of back-off) and 32 (after 20 s more), as the operator retries.
        Assert.Equal(("Failed", "retry-node", 3, 32.0, 33.0), Summary(Function(plan, "flaky")));
        Assert.Equal("RetriesExhausted", Function(plan, "flaky").GetProperty("reason").GetString());
        var after = Function(plan, "after-flaky");
        Assert.Equal(("Failed", null, 0, null, null), Summary(after));
        Assert.Equal(("DependencyFailed", "dependency flaky failed"), (after.GetProperty("reason").GetString(), after.GetProperty("message").GetString()));
    }

    [Fact]
    public void The_whole_examples_folder_plans_together_in_file_order()
    {
        var (exit, output, error) = Run("-f", Examples, "-o", "json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var plan = ParseJson(output);
        var names = plan.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        // dag/ < retries/ < seed/ < unschedulable/, documents in file order.
        Assert.Equal("dag-source", names[0]);
        Assert.Equal("wrong-zone", names[^1]);
        Assert.Equal(13, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(6, plan.GetProperty("nodes").GetArrayLength());
    }

    [Fact]
    public void Table_output_has_placement_nodes_timeline_and_makespan()
    {
        var (exit, output, _) = Run("-f", Path.Combine(Examples, "dag"));
        Assert.Equal(0, exit);
        var lines = output.Split('\n');
        Assert.StartsWith("FUNCTION", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("default/dag-sum", StringComparison.Ordinal) && l.Contains("dag-worker-1", StringComparison.Ordinal) && l.Contains("3s", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("NODE ", StringComparison.Ordinal) && l.Contains("PEAK", StringComparison.Ordinal));
        Assert.Contains("TIMELINE", lines);
        Assert.Contains(lines, l => l.StartsWith("2.5s", StringComparison.Ordinal) && l.Contains("Succeeded", StringComparison.Ordinal) && l.Contains("default/dag-increment", StringComparison.Ordinal));
        Assert.Contains("makespan: 4s", lines);
    }

    [Fact]
    public void Yaml_output_has_the_same_shape_with_nulls()
    {
        var (exit, output, _) = Run("-f", Path.Combine(Examples, "unschedulable"), "-o", "yaml");
        Assert.Equal(0, exit);
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(output);
        var functions = Assert.IsType<List<object>>(yaml["functions"]);
        var first = Assert.IsType<Dictionary<object, object>>(functions[0]);
        Assert.Equal("too-big", first["name"]);
        Assert.Equal("Pending", first["phase"]);
        Assert.Contains("  node: null", output, StringComparison.Ordinal);
        Assert.Contains("makespan: 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Strategy_option_sets_the_default_for_functions_that_name_none()
    {
        using var dir = new TempManifests();
        var file = dir.Write("f.yaml", """
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffNode
            metadata: {name: a}
            spec: {capacity: {cpu: "4"}}
            ---
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffNode
            metadata: {name: b}
            spec: {capacity: {cpu: "4"}}
            ---
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: one}
            spec: {cost: {cpu: "1"}}
            ---
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: two}
            spec: {cost: {cpu: "1"}}
            ---
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: pinned-first, namespace: other}
            spec: {cost: {cpu: "1"}, strategy: FirstAvailable}
            """);
        var fa = ParseJson(Run("-f", file, "-o", "json").Output);
        Assert.Equal("a", Function(fa, "two").GetProperty("node").GetString());
        var (exit, output, _) = Run("-f", file, "-o", "json", "--strategy", "LoadBalanced");
        Assert.Equal(0, exit);
        var lb = ParseJson(output);
        Assert.Equal("a", Function(lb, "one").GetProperty("node").GetString());
        Assert.Equal("b", Function(lb, "two").GetProperty("node").GetString());
        Assert.Equal("a", Function(lb, "pinned-first").GetProperty("node").GetString());
        Assert.Equal("other", Function(lb, "pinned-first").GetProperty("namespace").GetString());
    }

    [Fact]
    public void Several_files_are_read_in_the_order_given_and_a_file_named_twice_once()
    {
        var seed = Path.Combine(Examples, "seed");
        var (exit, output, _) = Run("-f", Path.Combine(Examples, "unschedulable"), "-f", seed, "-f", Path.Combine(seed, "nodes.yaml"), "-o", "json");
        Assert.Equal(0, exit);
        var names = ParseJson(output).GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal("too-big", names[0]);
        Assert.Equal("seed-second-gpu-task", names[^1]);
    }

    [Fact]
    public void Dash_reads_standard_input()
    {
        using var input = new StringReader(File.ReadAllText(Path.Combine(Examples, "seed", "nodes.yaml")) + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: piped}\nspec: {cost: {gpu: \"2\"}}\n");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = Cli.Planning.PlanRunner.Run(["-"], Core.Allocation.AllocationStrategy.FirstAvailable, "json", input, output, error, TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.Equal("seed-node-a", Function(ParseJson(output.ToString()), "piped").GetProperty("node").GetString());

        using var bad = new StringReader("apiVersion: v1\nkind: Pod\n");
        exit = Cli.Planning.PlanRunner.Run(["-"], Core.Allocation.AllocationStrategy.FirstAvailable, "json", bad, output, error, TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: <stdin>:1: unknown kind \"Pod\"", error.ToString(), StringComparison.Ordinal);
    }
}
