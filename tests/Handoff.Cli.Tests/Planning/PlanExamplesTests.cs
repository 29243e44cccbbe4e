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

    /// <summary>
    /// The <c>--discover-nodes</c> the examples are run with (examples/real-cluster discovers its general pool; no other
    /// example has Nodes of that pool).
    /// </summary>
    private const string Discovery = "--discover-nodes=pool=general";

    private static JsonElement PlanOf(string example)
    {
        var (exit, output, error) = Run("-f", Path.Combine(Examples, example), Discovery, "-o", "json");
        Assert.True(exit == 0, $"plan of examples/{example} exited {exit}: {error}");
        Assert.Equal("", error);
        return ParseJson(output);
    }

    /// <summary>Every folder of examples/, so that a new example is planned too.</summary>
    public static TheoryData<string> ExampleFolders => [.. Directory.GetDirectories(Examples).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    /// <summary>What the plan of each example says of each of its functions: phase, node, attempts, start and end (s).</summary>
    public static TheoryData<string, string, string, string?, int, double?, double?> Outcomes => new()
    {
        // seed-node-b has no gpu; on seed-node-a the gpu task holds 8000 memory until t=3, so 10000 more fits only then
        // (the cpu task's 4000 released at t=2 is not enough).
        { "seed", "seed-cpu-task", "Succeeded", "seed-node-a", 1, 0.0, 2.0 },
        { "seed", "seed-gpu-task", "Succeeded", "seed-node-a", 1, 0.0, 3.0 },
        { "seed", "seed-custom-task", "Succeeded", "seed-node-b", 1, 0.0, 1.0 },
        { "seed", "seed-second-gpu-task", "Succeeded", "seed-node-a", 1, 3.0, 4.0 },

        // Source, then both branches (LoadBalanced spreads them over both workers), then the join collocated with the source.
        { "dag", "dag-source", "Succeeded", "dag-worker-1", 1, 0.0, 1.0 },
        { "dag", "dag-double", "Succeeded", "dag-worker-1", 1, 1.0, 3.0 },
        { "dag", "dag-increment", "Succeeded", "dag-worker-2", 1, 1.0, 2.5 },
        { "dag", "dag-sum", "Succeeded", "dag-worker-1", 1, 3.0, 4.0 },

        // The web pod holds 6 of the discovered cpu-1's 8 cpus: prepare (2) fits beside it, the plain pod summarize and
        // the Job's first two pods (queued after it) and evaluate (4 cpus, a license) go to the hand-written cpu-2; both
        // trainings share the tainted GPU node they tolerate; the Job's next two pods, created at 3 s by the first two's
        // successes, go to cpu-1, left by prepare.
        { "real-cluster", "prepare", "Succeeded", "cpu-1", 1, 0.0, 2.0 },
        { "real-cluster", "pod/summarize", "Succeeded", "cpu-2", 1, 0.0, 1.0 },
        { "real-cluster", "job/crunch-1", "Succeeded", "cpu-2", 1, 0.0, 3.0 },
        { "real-cluster", "job/crunch-2", "Succeeded", "cpu-2", 1, 0.0, 3.0 },
        { "real-cluster", "job/crunch-3", "Succeeded", "cpu-1", 1, 3.0, 6.0 },
        { "real-cluster", "job/crunch-4", "Succeeded", "cpu-1", 1, 3.0, 6.0 },
        { "real-cluster", "train-a", "Succeeded", "gpu-1", 1, 2.0, 6.0 },
        { "real-cluster", "train-b", "Succeeded", "gpu-1", 1, 2.0, 5.0 },
        { "real-cluster", "evaluate", "Succeeded", "cpu-2", 1, 6.0, 8.0 },

        // Too big for any node, its dependent waits; no node in the zone asked for.
        { "unschedulable", "too-big", "Pending", null, 0, null, null },
        { "unschedulable", "after-too-big", "Waiting", null, 0, null, null },
        { "unschedulable", "wrong-zone", "Pending", null, 0, null, null },

        // team-a's six analyses all start (4 of its 8 borrowed from team-b), the gang starts whole on the GPU node; at 2 s
        // the urgent hotfix (6 cpus) evicts a-2 and a-3 from q-cpu-1: a-2 starts again at once on q-cpu-2, a-3 at 4 s,
        // both still attempt 1.
        { "queues", "a-1", "Succeeded", "q-cpu-1", 1, 0.0, 4.0 },
        { "queues", "a-2", "Succeeded", "q-cpu-2", 1, 2.0, 6.0 },
        { "queues", "a-3", "Succeeded", "q-cpu-1", 1, 4.0, 8.0 },
        { "queues", "a-4", "Succeeded", "q-cpu-2", 1, 0.0, 4.0 },
        { "queues", "a-5", "Succeeded", "q-cpu-2", 1, 0.0, 4.0 },
        { "queues", "a-6", "Succeeded", "q-cpu-2", 1, 0.0, 4.0 },
        { "queues", "train-0", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "train-1", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "train-2", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "train-3", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "train-4", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "train-5", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "train-6", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "train-7", "Succeeded", "q-gpu-1", 1, 0.0, 6.0 },
        { "queues", "check", "Succeeded", "q-cpu-1", 1, 0.0, 2.0 },
        { "queues", "hotfix", "Succeeded", "q-cpu-1", 1, 2.0, 4.0 },

        // Attempts at 0, 11 (after 10 s of back-off) and 32 (after 20 s more), as the operator retries; then its
        // dependent fails.
        { "retries", "flaky", "Failed", "retry-node", 3, 32.0, 33.0 },
        { "retries", "after-flaky", "Failed", null, 0, null, null },
    };

    /// <summary>Why a function of an example ended as it did: its reason and (the start of) its message.</summary>
    public static TheoryData<string, string, string, string> Reasons => new()
    {
        { "seed", "seed-cpu-task", "Succeeded", "Succeeded on seed-node-a (attempt 1)" },
        { "dag", "dag-sum", "Succeeded", "Succeeded on dag-worker-1 (attempt 1)" },
        {
            "unschedulable", "too-big", "Unschedulable",
            "0/1 nodes are available: 1 Insufficient cpu. Unschedulable: the cost (cpu=64, memory=1000Mi) exceeds the total capacity of every eligible node."
        },
        { "unschedulable", "after-too-big", "WaitingForDependencies", "waiting for args to succeed: too-big" },
        { "unschedulable", "wrong-zone", "Unschedulable", "0/1 nodes are available: 1 node(s) didn't match Function's node selector." },
        { "retries", "flaky", "RetriesExhausted", "pod flaky-3 failed" },
        { "retries", "after-flaky", "DependencyFailed", "dependency flaky failed" },
    };

    public static TheoryData<string, double> Makespans => new()
    {
        { "seed", 4.0 },
        { "dag", 4.0 },
        { "real-cluster", 8.0 },
        { "unschedulable", 0.0 },
        { "retries", 33.0 },
        { "queues", 8.0 },
    };

    [Theory]
    [MemberData(nameof(ExampleFolders))]
    public void Every_example_plans_cleanly_and_every_function_in_it_is_in_the_table(string example)
    {
        var plan = PlanOf(example);

        var names = plan.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.NotEmpty(names);
        Assert.Equal(
            Outcomes.Select(row => row.Data).Where(row => row.Item1 == example).Select(row => row.Item2).Order(StringComparer.Ordinal),
            names.Order(StringComparer.Ordinal));
        Assert.All(plan.GetProperty("functions").EnumerateArray(), f => Assert.Equal("default", f.GetProperty("namespace").GetString()));
        Assert.NotEqual(0, plan.GetProperty("nodes").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void Each_function_of_an_example_is_placed_as_expected(string example, string function, string phase, string? node, int attempts, double? start, double? end) =>
        Assert.Equal((phase, node, attempts, start, end), Summary(Function(PlanOf(example), function)));

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Each_outcome_says_why(string example, string function, string reason, string message)
    {
        var f = Function(PlanOf(example), function);

        Assert.Equal(reason, f.GetProperty("reason").GetString());
        Assert.StartsWith(message, f.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Makespans))]
    public void Each_example_takes_its_makespan(string example, double makespan) =>
        Assert.Equal(makespan, PlanOf(example).GetProperty("makespan").GetDouble());

    [Fact]
    public void Queues_example_prints_each_queues_usage_over_time_and_the_preemptions()
    {
        var plan = PlanOf("queues");
        var queues = plan.GetProperty("queues").EnumerateArray()
            .Select(q => (q.GetProperty("time").GetDouble(), q.GetProperty("queue").GetString(), q.GetProperty("pending").GetInt32(), q.GetProperty("admitted").GetInt32(),
                q.GetProperty("usage").GetProperty("cpu").GetString(), q.GetProperty("borrowed").GetProperty("cpu").GetString()))
            .ToList();
        Assert.Equal(
            [(0.0, "team-a", 0, 6, "12", "4"), (0.0, "team-b", 0, 8, "8", "0"), (2.0, "team-a", 1, 5, "10", "2"), (4.0, "team-a", 0, 2, "4", "0")],
            queues);

        var (exit, table, _) = Run("-f", Path.Combine(Examples, "queues"));
        Assert.Equal(0, exit);
        Assert.Contains("QUEUES", table, StringComparison.Ordinal);
        Assert.Matches(@"2s\s+Preempted\s+default/a-2\s+q-cpu-1\s+1", table);
    }

    [Fact]
    public void Real_cluster_discovers_its_general_pool_and_leaves_the_hand_written_nodes_alone()
    {
        var plan = PlanOf("real-cluster");

        Assert.Equal(["cpu-1", "cpu-2", "gpu-1"], plan.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Equal("2", Node(plan, "cpu-1").GetProperty("capacity").GetProperty("cpu").GetString());
        Assert.Equal("2", Node(plan, "cpu-2").GetProperty("capacity").GetProperty("licenses").GetString());

        // Without discovery, cpu-1 has no HandoffNode: prepare goes to cpu-2, and so does the whole Job.
        var (exit, output, _) = Run("-f", Path.Combine(Examples, "real-cluster"), "-o", "json");
        Assert.Equal(0, exit);
        var undiscovered = ParseJson(output);
        Assert.Equal(["cpu-2", "gpu-1"], undiscovered.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Equal("cpu-2", Function(undiscovered, "job/crunch-4").GetProperty("node").GetString());

        var (badExit, _, badError) = Run("-f", Path.Combine(Examples, "real-cluster"), "--discover-nodes=pool in (", "-o", "json");
        Assert.NotEqual(0, badExit);
        Assert.Contains("--discover-nodes:", badError, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_node_peaks_are_what_its_tasks_held_at_once()
    {
        var plan = PlanOf("seed");

        var nodeA = Node(plan, "seed-node-a").GetProperty("peak");
        Assert.Equal("6", nodeA.GetProperty("cpu").GetString());
        Assert.Equal("12000Mi", nodeA.GetProperty("memory").GetString());
        Assert.Equal("1", nodeA.GetProperty("gpu").GetString());
        Assert.Equal("1", Node(plan, "seed-node-b").GetProperty("peak").GetProperty("specialized_hardware").GetString());
        Assert.Equal(["seed-cpu-task", "seed-gpu-task", "seed-custom-task", "seed-second-gpu-task"],
            plan.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
    }

    [Fact]
    public void Dag_shows_strategies_and_capacities_as_written()
    {
        var (exit, output, _) = Run("-f", Path.Combine(Examples, "dag", "dag.yaml"), "--output", "json");
        Assert.Equal(0, exit);
        var plan = ParseJson(output);

        Assert.Equal("LoadBalanced", Function(plan, "dag-double").GetProperty("strategy").GetString());
        Assert.Equal("8Gi", Node(plan, "dag-worker-1").GetProperty("capacity").GetProperty("memory").GetString());
    }

    [Fact]
    public void The_whole_examples_folder_plans_together_in_file_order()
    {
        var (exit, output, error) = Run("-f", Examples, Discovery, "-o", "json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var plan = ParseJson(output);
        var names = plan.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        // dag/ < queues/ < real-cluster/ < retries/ < seed/ < unschedulable/, documents in file order.
        Assert.Equal("dag-source", names[0]);
        Assert.Equal("a-1", names[4]);
        Assert.Equal("wrong-zone", names[^1]);
        Assert.Equal(38, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(12, plan.GetProperty("nodes").GetArrayLength());
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

        using var bad = new StringReader("apiVersion: v1\nkind: ConfigMap\n");
        exit = Cli.Planning.PlanRunner.Run(["-"], Core.Allocation.AllocationStrategy.FirstAvailable, "json", bad, output, error, TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: <stdin>:1: unknown kind \"ConfigMap\"", error.ToString(), StringComparison.Ordinal);
    }
}
