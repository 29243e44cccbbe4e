using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using k8s;
using k8s.Models;

namespace Handoff.Cli.Tests.Commands;

/// <summary>Three nodes: wa (zone a), wc (zone c, its HandoffNode cordoned), wt (zone t, its Node tainted gpu=true:NoExecute).</summary>
public sealed class WhySandbox : LiveSandbox
{
    protected override string NodesYaml => """
        nodes:
        - name: wa
          labels: {zone: a}
          allocatable: {cpu: "4", memory: 8Gi}
        - name: wc
          labels: {zone: c}
          allocatable: {cpu: "4", memory: 8Gi}
        - name: wt
          labels: {zone: t}
          allocatable: {cpu: "4", memory: 8Gi}
          taints: [{key: gpu, value: "true", effect: NoExecute}]
        """;

    protected override string SetupYaml => """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: wa, labels: {zone: a}}
        spec: {capacity: {cpu: "4", memory: 8Gi}}
        ---
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: wc, labels: {zone: c}}
        spec: {capacity: {cpu: "4", memory: 8Gi}, unschedulable: true}
        ---
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: wt, labels: {zone: t}}
        spec: {capacity: {cpu: "4", memory: 8Gi}}
        """;
}

/// <summary>
/// <c>handoff why</c> through the real binary (and once through the real kubectl as <c>kubectl handoff why</c>) against
/// the sandbox with the operator: in each situation it names the reason the operator really has.
/// </summary>
public sealed class WhyTests(WhySandbox sandbox) : IClassFixture<WhySandbox>
{
    private static string Function(string name, string spec, string annotations = "{}", string templateAnnotations = "{}") => $$"""
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata: {name: {{name}}, annotations: {{annotations}}}
        spec:
          {{spec}}
          template:
            metadata: {annotations: {{templateAnnotations}}}
            spec: {containers: [{name: main, image: busybox}]}
        ---

        """;

    private static string WhyLine(string output) =>
        output.Split('\n').Single(l => l.StartsWith("why:", StringComparison.Ordinal));

    private static string Row(string output, string node) =>
        output.Split('\n').Single(l => l.StartsWith(node + " ", StringComparison.Ordinal));

    [Fact]
    public async Task A_cost_no_node_can_hold_is_named_per_node_with_needed_and_free()
    {
        var ns = await sandbox.NamespaceWithAsync(Function("huge", "cost: {cpu: \"64\"}"));
        await sandbox.WaitForAsync(ns, "huge", f => f.Status?.Phase == FunctionPhases.Pending && !string.IsNullOrEmpty(f.Status.Message), "Pending with a message");

        var output = await sandbox.HandoffAsync("why", "huge", "-n", ns);

        Assert.Contains("Insufficient cpu", WhyLine(output), StringComparison.Ordinal);
        Assert.Contains("exceeds the total capacity", WhyLine(output), StringComparison.Ordinal);
        Assert.Contains("status:", output, StringComparison.Ordinal);
        var wa = Row(output, "wa");
        Assert.Matches(@"\s64/[0-4]\s", wa); // needed/free (other tests hold some of wa)
        Assert.Contains("Insufficient cpu (more than its total capacity)", wa, StringComparison.Ordinal);
        Assert.Contains("node(s) were unschedulable", Row(output, "wc"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_selector_nothing_matches_is_named()
    {
        var ns = await sandbox.NamespaceWithAsync(Function("lost", "nodeSelector: {zone: nowhere}"));
        await sandbox.WaitForAsync(ns, "lost", f => f.Status?.Phase == FunctionPhases.Pending && !string.IsNullOrEmpty(f.Status.Message), "Pending with a message");

        var output = await sandbox.HandoffAsync("why", "hf/lost", "--namespace", ns);

        Assert.Contains("2 node(s) didn't match Function's node selector", WhyLine(output), StringComparison.Ordinal);
        Assert.Contains("no node matches the function's constraints", WhyLine(output), StringComparison.Ordinal);
        Assert.Contains("no match", Row(output, "wa"), StringComparison.Ordinal);
        Assert.Contains("node(s) didn't match Function's node selector", Row(output, "wt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cordoned_node_is_named()
    {
        var ns = await sandbox.NamespaceWithAsync(Function("cordoned", "nodeSelector: {zone: c}"));
        await sandbox.WaitForAsync(ns, "cordoned", f => f.Status?.Phase == FunctionPhases.Pending && !string.IsNullOrEmpty(f.Status.Message), "Pending with a message");

        var output = await sandbox.HandoffAsync("why", "cordoned", "-n", ns);

        Assert.Contains("1 node(s) were unschedulable", WhyLine(output), StringComparison.Ordinal);
        var wc = Row(output, "wc");
        Assert.Matches(@"^wc\s+yes\s", wc);
        Assert.Contains("node(s) were unschedulable", wc, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untolerated_taint_is_named_on_the_node_and_in_the_answer()
    {
        var ns = await sandbox.NamespaceWithAsync(Function("tainted", "nodeSelector: {zone: t}"));
        // Whatever the operator makes of it (kept Pending by the taint, or its pod rejected by the kubelet), it says why.
        await sandbox.WaitForAsync(ns, "tainted", f => f.Status?.Message?.Contains("aint", StringComparison.Ordinal) == true, "explained by the taint");

        var output = await sandbox.HandoffAsync("why", "tainted", "-n", ns);

        Assert.Contains("taint", WhyLine(output), StringComparison.OrdinalIgnoreCase);
        var wt = Row(output, "wt");
        Assert.Contains("gpu=true:NoExecute", wt, StringComparison.Ordinal);
        Assert.Contains("node(s) had untolerated taint {gpu: true}", wt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Args_still_running_are_named_and_the_start_is_estimated_from_their_duration()
    {
        var ns = await sandbox.NamespaceWithAsync(
            Function("long", "cost: {cpu: \"1\"}\n  nodeSelector: {zone: a}", "{handoff.dev/duration: 1h}", "{handoff.dev/duration: 1h}") +
            Function("after", "args: [long]"));
        await sandbox.WaitForPhaseAsync(ns, "long", FunctionPhases.Running);
        await sandbox.WaitForPhaseAsync(ns, "after", FunctionPhases.Waiting);

        var output = await sandbox.HandoffAsync("why", "after", "-n", ns);

        Assert.Contains("waiting for args to succeed: long", WhyLine(output), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^long\s+Running\s+wa\s+waited for", output);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, @"likely start:\s+in about 3[56]\d\d(\.\d)?s \(at \d\d:\d\d:\d\dZ\) on wa"), output);
    }

    [Fact]
    public async Task The_start_is_unknown_when_what_it_waits_for_has_no_duration()
    {
        var ns = await sandbox.NamespaceWithAsync(
            Function("untimed", "cost: {cpu: \"1\"}\n  nodeSelector: {zone: a}", "{}", "{handoff.dev/duration: 1h}") +
            Function("next", "args: [untimed]"));
        await sandbox.WaitForPhaseAsync(ns, "untimed", FunctionPhases.Running);
        await sandbox.WaitForPhaseAsync(ns, "next", FunctionPhases.Waiting);

        var output = await sandbox.HandoffAsync("why", "next", "-n", ns);

        Assert.Contains("likely start:  unknown: it starts once untimed ends, and that has no handoff.dev/duration annotation", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_pod_for_Handoff_is_explained_with_its_effective_request()
    {
        var ns = await sandbox.NamespaceWithAsync("");
        var ct = TestContext.Current.CancellationToken;
        await sandbox.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "plain" },
            Spec = new V1PodSpec
            {
                SchedulerName = "handoff",
                NodeSelector = new Dictionary<string, string> { ["zone"] = "a" },
                Containers = [new V1Container { Name = "main", Image = "busybox", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("8") } } }],
            },
        }, ns, cancellationToken: ct);

        var output = await sandbox.HandoffAsync("why", "pod/plain", "-n", ns);

        Assert.Contains("scheduler:  handoff", output, StringComparison.Ordinal);
        Assert.Contains("cost:       cpu=8 (its effective request)", output, StringComparison.Ordinal);
        Assert.Contains("wa: Insufficient cpu", WhyLine(output), StringComparison.Ordinal);
        Assert.Contains("wt: node(s) didn't match Pod's node affinity/selector", WhyLine(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_handoff_why_runs_the_plugin_with_kubectls_flags()
    {
        var ns = await sandbox.NamespaceWithAsync(Function("viakubectl", "nodeSelector: {zone: nowhere}"));
        await sandbox.WaitForAsync(ns, "viakubectl", f => f.Status?.Phase == FunctionPhases.Pending && !string.IsNullOrEmpty(f.Status.Message), "Pending with a message");
        var plugins = HandoffBinary.PluginDirectory();
        try
        {
            var result = await HandoffBinary.KubectlPluginAsync(plugins, ["why", "viakubectl", "-n", ns, "--kubeconfig", sandbox.KubeconfigPath, "--context", "handoff-sandbox"]);

            Assert.True(result.Succeeded, result.ToString());
            Assert.Contains("didn't match Function's node selector", WhyLine(result.Stdout), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
    }

    [Fact]
    public async Task A_function_that_does_not_exist_is_an_error_naming_it()
    {
        var result = await HandoffBinary.RunAsync(["why", "ghost", "-n", "default", "--kubeconfig", sandbox.KubeconfigPath]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: HandoffFunction default/ghost not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_quota_is_named_with_usage_quota_and_position()
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = "q-" + Guid.NewGuid().ToString("N")[..8];
        await sandbox.Client.CustomObjects.CreateClusterCustomObjectAsync(
            new HandoffQueue { Metadata = new V1ObjectMeta { Name = queue }, Spec = new HandoffQueueSpec { Quota = new Dictionary<string, string> { ["cpu"] = "1" } } },
            HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, cancellationToken: ct);
        var spec = $"queue: {queue}\n  cost: {{cpu: \"1\"}}\n  nodeSelector: {{zone: a}}";
        var ns = await sandbox.NamespaceWithAsync(
            Function("first", spec, "{handoff.dev/duration: 1h}", "{handoff.dev/duration: 1h}") + Function("second", spec));
        await sandbox.WaitForPhaseAsync(ns, "first", FunctionPhases.Running);
        await sandbox.WaitForAsync(ns, "second", f => f.Status?.QueuePosition is not null && f.Status.Message?.Contains("quota", StringComparison.Ordinal) == true, "held back by its queue's quota");
        await Handoff.Testing.Wait.UntilAsync(
            async () => (await sandbox.Client.CustomObjects.GetClusterCustomObjectAsync<HandoffQueue>(HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, queue, cancellationToken: ct))
                .Status?.Usage is { } usage && usage.TryGetValue("cpu", out var cpu) && cpu == "1",
            "the queue's status shows its usage");

        var output = await sandbox.HandoffAsync("why", "second", "-n", ns);

        Assert.Contains("its queue holds it back: ", WhyLine(output), StringComparison.Ordinal);
        Assert.Contains(queue, WhyLine(output), StringComparison.Ordinal);
        Assert.Contains("position 1", WhyLine(output), StringComparison.Ordinal);
        Assert.Matches($@"(?m)^queue:\s+{queue}, position 1$", output);
        Assert.Matches(@"(?m)^queue usage:\s+cpu=1 of quota cpu=1, 1 admitted, 1 pending$", output);
        // plan --live knows the queue too: it starts once first's hour is over (or, when functions of other tests
        // without a duration share wa, once those end), never "not while the cluster stays as it is".
        Assert.Matches(@"likely start:\s+(in about 3[56]\d\d(\.\d)?s \(at \d\d:\d\d:\d\dZ\) on wa|unknown: it starts once )", output);
    }
}
