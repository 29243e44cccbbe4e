using System.Text.RegularExpressions;
using Handoff.Cli.Sandbox;
using k8s;

namespace Handoff.Cli.Tests.Sandbox;

/// <summary><c>handoff sandbox --apply ... --until-done</c>: the operator runs in-process against the emulator.</summary>
public sealed partial class SandboxUntilDoneTests
{
    [Fact]
    public async Task Seed_example_runs_to_the_end_and_exits_0_with_every_function_Succeeded()
    {
        var output = await UntilDoneAsync(SandboxRun.Examples("seed"), expectedExit: 0, podDuration: "100ms");
        Assert.Contains("functions: 4 (Succeeded 4)", output, StringComparison.Ordinal);
        Assert.Contains("all 4 functions Succeeded", output, StringComparison.Ordinal);
        Assert.Matches(MakespanLine(), output);

        // The summary table: each function's node (the seed scenario's placements).
        var summary = output[output.IndexOf("summary:", StringComparison.Ordinal)..];
        Assert.Matches(@"seed-cpu-task\s+Succeeded\s+seed-node-a\s+1", summary);
        Assert.Matches(@"seed-gpu-task\s+Succeeded\s+seed-node-a\s+1", summary);
        Assert.Matches(@"seed-custom-task\s+Succeeded\s+seed-node-b\s+1", summary);
        Assert.Matches(@"seed-second-gpu-task\s+Succeeded\s+seed-node-a\s+1", summary);

        // Not a terminal: one line per phase change, in order, for every function. (Running may be skipped: the
        // operator writes the phase it observes, and a 100 ms pod can finish between two of its passes.)
        foreach (var name in new[] { "seed-cpu-task", "seed-gpu-task", "seed-custom-task", "seed-second-gpu-task" })
        {
            var phases = PhaseLine().Matches(output).Where(m => m.Groups["name"].Value == name).Select(m => m.Groups["phase"].Value).ToList();
            Assert.Equal("Succeeded", phases[^1]);
            Assert.Equal(1, phases.Count(p => p == "Succeeded"));
            Assert.True(phases.IndexOf("Scheduled") >= 0 && phases.IndexOf("Scheduled") < phases.Count - 1, string.Join(" -> ", phases));
            Assert.All(phases.Zip(phases.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
        }

        Assert.True(output.IndexOf("sandbox ready", StringComparison.Ordinal) < output.IndexOf("summary:", StringComparison.Ordinal));
        Assert.EndsWith("sandbox stopped\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dag_example_hands_results_on_and_the_summary_shows_them()
    {
        var output = await UntilDoneAsync(SandboxRun.Examples("dag"), expectedExit: 0);
        var summary = output[output.IndexOf("summary:", StringComparison.Ordinal)..];
        Assert.Matches(@"dag-source\s+Succeeded\s+dag-worker-\d\s+1\s+21", summary);
        Assert.Matches(@"dag-sum\s+Succeeded\s+dag-worker-\d\s+1\s+64", summary);
        Assert.Contains("default/dag-sum Succeeded", output, StringComparison.Ordinal);
        Assert.Contains("result=\"64\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Real_cluster_example_runs_with_discovery_and_waits_for_its_Job_and_plain_pod()
    {
        // As the example says to run it: the general pool discovered, the pods' own durations (up to 4 s).
        var output = await UntilDoneAsync(SandboxRun.Examples("real-cluster"), expectedExit: 0, more: ["--discover-nodes=pool=general"]);
        var summary = output[output.IndexOf("summary:", StringComparison.Ordinal)..];
        Assert.Contains("all 4 functions Succeeded", summary, StringComparison.Ordinal);
        Assert.Contains("Job default/crunch: Complete (4/4 succeeded)", summary, StringComparison.Ordinal);
        Assert.Contains("Pod default/summarize: Succeeded", summary, StringComparison.Ordinal);
        Assert.Matches(@"train-a\s+Succeeded\s+gpu-1", summary);
    }

    [Fact]
    public async Task A_Node_manifest_over_one_of_the_default_nodes_brings_its_taint()
    {
        // gpu-1 is one of the sandbox's default nodes (untainted); the manifest describes it tainted, as the real-cluster
        // example's GPU pool is: a function that does not tolerate the taint has nowhere to go. A taint can be lifted, so
        // the function is not stuck for good: the run ends at its timeout (exit 3) with the taint as the reason.
        var file = Manifests(
            "apiVersion: v1\nkind: Node\nmetadata: {name: gpu-1}\nspec:\n  taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]\n" +
            "status:\n  allocatable: {cpu: \"8\", memory: 32Gi, pods: \"110\", nvidia.com/gpu: \"2\"}\n",
            "apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: gpu-1}\nspec: {capacityFrom: Node}\n",
            Function("intolerant", spec: ["cost: {cpu: \"1\"}"]));
        using var dir = new TempManifests();
        var (exit, output, error) = await SandboxRun.RunAsync(["--apply", dir.Write("tainted.yaml", file), "--until-done", "--timeout", "3s"]);
        Assert.True(exit == 3, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("default/intolerant: still Pending: 0/1 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_manifests_are_registered_before_the_operator_starts()
    {
        // The operator's first list must see gpu-1 as the manifest describes it: registered again once the operator ran,
        // there was a moment in which it still saw the untainted default node and could place work there. A companion
        // starts right after the operator and before the rest is applied: what it reads is what the operator started on.
        var file = Manifests(
            "apiVersion: v1\nkind: Node\nmetadata: {name: gpu-1}\nspec:\n  taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]\n" +
            "status:\n  allocatable: {cpu: \"8\", memory: 32Gi, pods: \"110\", nvidia.com/gpu: \"2\"}\n",
            "apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: gpu-1}\nspec: {capacityFrom: Node}\n",
            "apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: tolerant, namespace: default}\nspec:\n  cost: {cpu: \"1\"}\n" +
            "  template: {spec: {containers: [{name: main, image: busybox}], tolerations: [{key: nvidia.com/gpu, operator: Exists}]}}\n");
        using var dir = new TempManifests();
        IList<k8s.Models.V1Taint>? taintsWhenTheOperatorStarted = null;
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var exit = await SandboxCli.RunAsync(
            new SandboxCliOptions
            {
                Host = new Handoff.Sandbox.SandboxHostOptions { KubeconfigPath = Path.Combine(dir.Root, "kubeconfig") },
                Apply = [dir.Write("tainted.yaml", file)],
                PodDuration = "50ms",
                UntilDone = true,
                Timeout = "60s",
            },
            output, error, interactive: false,
            companions: [async (server, _, ct) =>
            {
                using var client = server.CreateClient();
                taintsWhenTheOperatorStarted = (await client.CoreV1.ReadNodeAsync("gpu-1", cancellationToken: ct)).Spec?.Taints;
                return null;
            }],
            TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.True(exit == 0, output.Text + error.Text);
        var taint = Assert.Single(taintsWhenTheOperatorStarted ?? []);
        Assert.Equal(("nvidia.com/gpu", "present", "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
        Assert.Matches(@"tolerant\s+Succeeded\s+gpu-1", output.Text);
    }

    [Fact]
    public async Task A_Job_that_cannot_finish_keeps_until_done_from_succeeding()
    {
        var file = Manifests(
            Node("small", cpu: 2),
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: huge, namespace: default}\nspec:\n  template:\n    spec:\n      schedulerName: handoff\n      restartPolicy: Never\n" +
            "      containers: [{name: main, image: busybox, resources: {requests: {cpu: \"64\"}}}]\n");
        using var dir = new TempManifests();
        var output = await UntilDoneAsync(dir.Write("job.yaml", file), expectedExit: 2);
        Assert.Contains("Job default/huge: stuck: pod huge-", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unschedulable_example_reports_stuck_functions_and_exits_2()
    {
        var output = await UntilDoneAsync(SandboxRun.Examples("unschedulable"), expectedExit: 2);
        Assert.Contains("not done: 3 of 3 functions did not succeed", output, StringComparison.Ordinal);
        Assert.Contains("default/too-big: stuck in Pending", output, StringComparison.Ordinal);
        Assert.Contains("exceeds the total capacity of every eligible node", output, StringComparison.Ordinal);
        Assert.Contains("default/wrong-zone: stuck in Pending", output, StringComparison.Ordinal);
        Assert.Contains("default/after-too-big: stuck in Waiting (never finishes without a change to the cluster): waits for too-big, which is stuck", output, StringComparison.Ordinal);
        Assert.Contains("stuck 3", output, StringComparison.Ordinal);
        Assert.Contains("makespan:  n/a", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_function_and_its_dependent_end_Failed_and_the_exit_code_is_2()
    {
        using var manifests = new TempManifests();
        var file = manifests.Write("failing.yaml", Manifests(
            Node("fail-node", cpu: 2),
            Function("breaks", annotation: "handoff.dev/sandbox-exit-code: \"3\"", spec: ["maxRetries: 0", "cost: {cpu: \"1\"}"], command: "false"),
            Function("after-breaks", spec: ["args: [breaks]"]),
            Function("fine")));

        var output = await UntilDoneAsync(file, expectedExit: 2);
        Assert.Contains("functions: 3 (Succeeded 1, Failed 2)", output, StringComparison.Ordinal);
        Assert.Contains("not done: 2 of 3 functions did not succeed", output, StringComparison.Ordinal);
        Assert.Matches(@"default/breaks: Failed: RetriesExhausted", output);
        Assert.Matches(@"default/after-breaks: Failed: DependencyFailed", output);
        Assert.Matches(@"fine\s+Succeeded\s+fail-node", output);
    }

    [Fact]
    public async Task Timeout_gives_a_clear_error_and_exit_code_3()
    {
        using var manifests = new TempManifests();
        var file = manifests.Write("slow.yaml", SlowFunction);

        var (exit, output, error) = await SandboxRun.RunAsync("--apply", file, "--until-done", "--timeout", "1500ms");

        Assert.True(exit == 3, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("error: timed out after 1.5s (--timeout) with 1 of 1 functions still in progress", output, StringComparison.Ordinal);
        Assert.Contains("default/slow: still Running", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strategy_flag_sets_the_operators_default_strategy()
    {
        using var manifests = new TempManifests();
        var file = manifests.Write("strategy.yaml", Manifests(
            Node("a-big", cpu: 8),
            Node("b-small", cpu: 2),
            Function("fits-both", spec: ["cost: {cpu: \"2\"}"])));

        var firstAvailable = await UntilDoneAsync(file, expectedExit: 0);
        var bestFit = await UntilDoneAsync(file, expectedExit: 0, more: ["--strategy", "BestFit"]);

        Assert.Matches(@"fits-both\s+Succeeded\s+a-big", firstAvailable);
        Assert.Matches(@"fits-both\s+Succeeded\s+b-small", bestFit);
    }

    [Fact]
    public async Task On_a_terminal_the_table_is_redrawn_in_place_and_the_summary_follows()
    {
        using var dir = new TempManifests();
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var exit = await SandboxCli.RunAsync(
            new SandboxCliOptions
            {
                Host = new Handoff.Sandbox.SandboxHostOptions { KubeconfigPath = Path.Combine(dir.Root, "kubeconfig") },
                Apply = [SandboxRun.Examples("dag")],
                PodDuration = "50ms",
                UntilDone = true,
                Timeout = "60s",
            },
            output, error, interactive: true, companions: null, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        var text = output.Text;
        Assert.True(exit == 0, text + error.Text);
        Assert.Contains("\u001b[6F\u001b[J", text, StringComparison.Ordinal); // header + 4 rows + footer, erased and redrawn
        Assert.Contains("NAMESPACE   NAME            PHASE", text, StringComparison.Ordinal);
        Assert.Contains("4/4 finished", text, StringComparison.Ordinal);
        Assert.DoesNotContain("] default/dag-sum ", text, StringComparison.Ordinal); // no per-change lines on a terminal
        Assert.Contains("all 4 functions Succeeded", text[text.LastIndexOf('\u001b')..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interrupting_until_done_prints_what_was_seen_and_exits_130()
    {
        using var manifests = new TempManifests();
        var file = manifests.Write("slow.yaml", SlowFunction);
        await using var run = SandboxRun.Start("--apply", file, "--until-done");
        await run.Output.WaitForAsync("default/slow Running", TimeSpan.FromSeconds(30));

        var exit = await run.StopAsync();
        Assert.True(exit == UntilDoneExitCodes.Interrupted, $"exit {exit}\n{run.Output.Text}\n{run.Error.Text}");
        Assert.Contains("interrupted before every function finished", run.Output.Text, StringComparison.Ordinal);
        Assert.Contains("default/slow: still Running", run.Output.Text, StringComparison.Ordinal);
    }

    /// <summary><c>handoff sandbox --apply PATH --until-done</c> with short pods and a minute's timeout; the exit code must be <paramref name="expectedExit"/>.</summary>
    private static async Task<string> UntilDoneAsync(string apply, int expectedExit, string podDuration = "50ms", string[]? more = null)
    {
        var (exit, output, error) = await SandboxRun.RunAsync(["--apply", apply, "--until-done", "--pod-duration", podDuration, "--timeout", "60s", .. more ?? []]);
        Assert.True(exit == expectedExit, $"exit {exit}\n{output}\n{error}");
        return output;
    }

    /// <summary>One function that runs for an hour on its own node: still Running when a test stops the run.</summary>
    private static readonly string SlowFunction = Manifests(
        Node("slow-node", cpu: 2),
        Function("slow", annotation: "handoff.dev/sandbox-duration: 1h"));

    private static string Manifests(params string[] documents) => string.Join("---\n", documents);

    private static string Node(string name, int cpu) =>
        $"apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {{name: {name}}}\nspec: {{capacity: {{cpu: \"{cpu}\"}}}}\n";

    /// <summary>A function in the default namespace whose pod runs busybox; <paramref name="spec"/> lines come before its template.</summary>
    private static string Function(string name, string? annotation = null, string[]? spec = null, string? command = null)
    {
        var container = command is null ? "{name: main, image: busybox}" : $"{{name: main, image: busybox, command: [\"{command}\"]}}";
        List<string> lines = ["apiVersion: handoff.dev/v1alpha1", "kind: HandoffFunction", "metadata:", $"  name: {name}", "  namespace: default"];
        if (annotation is not null)
        {
            lines.Add($"  annotations: {{{annotation}}}");
        }

        lines.Add("spec:");
        lines.AddRange((spec ?? []).Select(line => "  " + line));
        lines.Add($"  template: {{spec: {{containers: [{container}]}}}}");
        return string.Join('\n', lines) + "\n";
    }

    [GeneratedRegex(@"makespan:  \d+\.\d\ds \(from the apply")]
    private static partial Regex MakespanLine();

    [GeneratedRegex(@"^\[\s*\d+\.\d\ds\] default/(?<name>\S+) (?<phase>\w+)", RegexOptions.Multiline)]
    private static partial Regex PhaseLine();
}
