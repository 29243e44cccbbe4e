using Handoff.Sandbox.Tests.Support;
using Handoff.Testing;
using k8s;

using Wait = Handoff.Sandbox.Tests.Support.Wait;

namespace Handoff.Sandbox.Tests;

/// <summary>The real kubectl binary against the emulator: apply, get (tables), -o yaml, describe, patch, wait, delete, get -w.</summary>
/// <remarks>Each test has a kubectl of its own (skipped with the reason when there is none), a fresh namespace and the widget CRD.</remarks>
public sealed class KubectlTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private readonly Kubectl _kubectl = new(fixture.KubeconfigPath);
    private string _ns = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _ns = await fixture.NewNamespaceAsync();
        await _kubectl.MustAsync(["apply", "-f", "-"], Ct, stdin: TestData.WidgetCrd);
    }

    public ValueTask DisposeAsync()
    {
        _kubectl.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary><c>kubectl apply -n NS -f -</c> of the widget <paramref name="name"/>.</summary>
    private Task<ProcessResult> ApplyWidgetAsync(string name, int size, string? extra = null) =>
        _kubectl.RunAsync(["apply", "-n", _ns, "-f", "-"], Ct, stdin: TestData.Widget(name, size, extra));

    [Fact]
    public async Task Apply_get_yaml_describe_and_reapply_a_custom_object()
    {
        var created = await ApplyWidgetAsync("w1", 3, "note: hello");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("widget.sandbox.test/w1 created", created.Stdout.Trim());

        var table = await _kubectl.MustAsync(["get", "widgets", "-n", _ns], Ct);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+PHASE\s+SIZE\s+AGE$", lines[0]);
        Assert.Matches(@"^w1\s+3\s+\d+s$", lines[1]);
        var wide = await _kubectl.MustAsync(["get", "wd", "-n", _ns, "-o", "wide"], Ct);
        Assert.Matches(@"^NAME\s+PHASE\s+SIZE\s+NOTE\s+AGE", wide);
        Assert.Contains("hello", wide, StringComparison.Ordinal);

        var yaml = await _kubectl.MustAsync(["get", "widget", "w1", "-n", _ns, "-o", "yaml"], Ct);
        Assert.Contains("size: 3", yaml, StringComparison.Ordinal);
        Assert.Contains("color: red", yaml, StringComparison.Ordinal);
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", yaml, StringComparison.Ordinal);

        var describe = await _kubectl.MustAsync(["describe", "widget", "w1", "-n", _ns], Ct);
        Assert.Contains("Kind:         Widget", describe, StringComparison.Ordinal);
        Assert.Contains("Size:", describe, StringComparison.Ordinal);

        Assert.Equal("widget.sandbox.test/w1 unchanged", (await ApplyWidgetAsync("w1", 3, "note: hello")).Stdout.Trim());
        Assert.Equal("widget.sandbox.test/w1 configured", (await ApplyWidgetAsync("w1", 4)).Stdout.Trim());
        var after = await fixture.Client.GetWidgetAsync(_ns, "w1");
        Assert.Equal(4, after.Spec!.Size);
        Assert.Null(after.Spec.Note);
        Assert.Equal(2, after.Metadata.Generation);
    }

    [Fact]
    public async Task Invalid_objects_and_unknown_fields_are_rejected_with_the_servers_message()
    {
        var invalid = await ApplyWidgetAsync("w1", 101);
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("spec.size: Invalid value: 101: spec.size in body should be less than or equal to 100", invalid.Stderr, StringComparison.Ordinal);

        var unknown = await ApplyWidgetAsync("w2", 1, "bogus: 1");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unknown field \"spec.bogus\"", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_status_subresource_wait_for_jsonpath_and_delete()
    {
        Assert.Equal(0, (await ApplyWidgetAsync("w1", 1)).ExitCode);

        using var wait = _kubectl.Start(["wait", "-n", _ns, "--for=jsonpath={.status.phase}=Ready", "widget/w1", "--timeout=30s"]);
        await _kubectl.MustAsync(["patch", "widget", "w1", "-n", _ns, "--type=merge", "-p", """{"spec":{"size":9}}"""], Ct);
        await _kubectl.MustAsync(["patch", "widget", "w1", "-n", _ns, "--type=json", "-p", """[{"op":"replace","path":"/spec/color","value":"blue"}]"""], Ct);
        await _kubectl.MustAsync(["patch", "widget", "w1", "-n", _ns, "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Ready"}}"""], Ct);
        var waited = await wait.WaitAsync(Ct);
        Assert.True(waited.ExitCode == 0, waited.ToString());
        Assert.Contains("condition met", waited.Stdout, StringComparison.Ordinal);

        var w = await fixture.Client.GetWidgetAsync(_ns, "w1");
        Assert.Equal((9, "blue", "Ready"), (w.Spec!.Size, w.Spec.Color, w.Status!.Phase));
        Assert.Matches(@"w1\s+Ready\s+9", await _kubectl.MustAsync(["get", "widgets", "-n", _ns], Ct));

        var deleted = await _kubectl.MustAsync(["delete", "widget", "w1", "-n", _ns], Ct);
        Assert.Contains("widget.sandbox.test \"w1\" deleted", deleted, StringComparison.Ordinal);
        var missing = await _kubectl.RunAsync(["get", "widget", "w1", "-n", _ns], Ct);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Error from server (NotFound): widgets.sandbox.test \"w1\" not found", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_watch_prints_rows_as_objects_change()
    {
        Assert.Equal(0, (await ApplyWidgetAsync("w1", 1)).ExitCode);
        using var watch = _kubectl.Start(["get", "widgets", "-n", _ns, "-w"]);
        await Wait.UntilAsync(() => watch.Output.Contains("w1", StringComparison.Ordinal), what: "initial row");
        await fixture.Client.PatchStatusAsync(_ns, "w1", """{"status":{"phase":"Running"}}""");
        await fixture.Client.CreateAsync(_ns, Widgets.New("w2", 2));
        await Wait.UntilAsync(() => watch.Output.Contains("Running", StringComparison.Ordinal) && watch.Output.Contains("w2", StringComparison.Ordinal),
            what: "watched rows: " + watch.Output);
        Assert.StartsWith("NAME", watch.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Built_in_kinds_apply_with_strategic_merge_and_pods_show_nodes()
    {
        string Deployment(string env) => """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d1}
            spec:
              selector: {matchLabels: {app: d1}}
              template:
                metadata: {labels: {app: d1}}
                spec:
                  containers: [{name: main, image: nginx:1.27, env: [{name: A, value: "ENV"}]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: p1
              annotations: {handoff.dev/sandbox-duration: 50ms}
            spec:
              nodeName: gpu-1
              restartPolicy: Never
              containers: [{name: main, image: busybox}]
            """.Replace("ENV", env, StringComparison.Ordinal);
        var first = await _kubectl.RunAsync(["apply", "-n", _ns, "-f", "-"], Ct, stdin: Deployment("1"));
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = await _kubectl.RunAsync(["apply", "-n", _ns, "-f", "-"], Ct, stdin: Deployment("2"));
        Assert.Contains("deployment.apps/d1 configured", second.Stdout, StringComparison.Ordinal);
        var d = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("d1", _ns, cancellationToken: Ct);
        Assert.Equal("2", Assert.Single(d.Spec.Template.Spec.Containers[0].Env).Value);

        await Wait.UntilAsync(async () => await _kubectl.MustAsync(["get", "pod", "p1", "-n", _ns, "-o", "jsonpath={.status.phase}"], Ct), s => s == "Succeeded", what: "pod succeeded");
        var pods = await _kubectl.MustAsync(["get", "pods", "-n", _ns, "-o", "wide"], Ct);
        Assert.Matches(@"p1\s+0/1\s+Completed\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+gpu-1", pods);
        var nodes = await _kubectl.MustAsync(["get", "nodes"], Ct);
        Assert.Matches(@"gpu-1\s+Ready\s+<none>", nodes);
        var describe = await _kubectl.MustAsync(["describe", "pod", "p1", "-n", _ns], Ct);
        Assert.Contains("Reason:       Completed", describe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Imperative_create_of_namespaces_configmaps_secrets_and_serviceaccounts_works()
    {
        var ns = "imp-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal($"namespace/{ns} created", (await _kubectl.MustAsync(["create", "namespace", ns], Ct)).Trim());
        await _kubectl.MustAsync(["create", "configmap", "c1", "-n", ns, "--from-literal=a=b"], Ct);
        await _kubectl.MustAsync(["create", "secret", "generic", "s1", "-n", ns, "--from-literal=pw=hunter2"], Ct);
        await _kubectl.MustAsync(["create", "serviceaccount", "sa1", "-n", ns], Ct);
        await _kubectl.MustAsync(["label", "configmap", "c1", "-n", ns, "tier=web"], Ct);
        var secret = await fixture.Client.CoreV1.ReadNamespacedSecretAsync("s1", ns, cancellationToken: Ct);
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("hunter2", System.Text.Encoding.UTF8.GetString(secret.Data["pw"]));
        var cm = await fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("c1", ns, cancellationToken: Ct);
        Assert.Equal(("b", "web"), (cm.Data["a"], cm.Metadata.Labels["tier"]));
        Assert.Matches(@"sa1\s+0", await _kubectl.MustAsync(["get", "sa", "-n", ns], Ct));
    }

    [Fact]
    public async Task Run_schedules_a_pod_and_cordon_and_drain_empty_its_node()
    {
        await _kubectl.MustAsync(["run", "web", "-n", _ns, "--image=nginx:1.27", "--restart=Never", "--annotations=handoff.dev/sandbox-duration=1h", "--annotations=handoff.dev/sandbox-termination=200ms"], Ct);
        var node = await Wait.UntilAsync(async () => await _kubectl.MustAsync(["get", "pod", "web", "-n", _ns, "-o", "jsonpath={.spec.nodeName}"], Ct), n => n.Length > 0, what: "web scheduled");
        await Wait.UntilAsync(async () => await _kubectl.MustAsync(["get", "pod", "web", "-n", _ns, "-o", "jsonpath={.status.phase}"], Ct), p => p == "Running", what: "web running");
        Assert.Contains("Successfully assigned " + _ns + "/web to " + node, await _kubectl.MustAsync(["describe", "pod", "web", "-n", _ns], Ct), StringComparison.Ordinal);
        try
        {
            Assert.Contains($"node/{node} cordoned", await _kubectl.MustAsync(["cordon", node], Ct), StringComparison.Ordinal);
            Assert.Matches(node + @"\s+Ready,SchedulingDisabled", await _kubectl.MustAsync(["get", "nodes"], Ct));
            var drained = await _kubectl.RunAsync(["drain", node, "--ignore-daemonsets", "--force", "--timeout=60s"], Ct);
            Assert.True(drained.ExitCode == 0, drained.ToString());
            Assert.Contains($"pod/web evicted", drained.Stdout, StringComparison.Ordinal);
            Assert.Contains($"node/{node} drained", drained.Stdout, StringComparison.Ordinal);
            var left = await _kubectl.MustAsync(["get", "pods", "-n", _ns, "-o", "name"], Ct);
            Assert.DoesNotContain("pod/web", left, StringComparison.Ordinal);
        }
        finally
        {
            await _kubectl.MustAsync(["uncordon", node], Ct);
        }

        await Wait.UntilAsync(async () => await _kubectl.MustAsync(["get", "node", node, "-o", "jsonpath={.spec.taints}"], Ct), t => !t.Contains("unschedulable", StringComparison.Ordinal), what: "taint gone");
    }

    [Fact]
    public async Task Create_job_runs_to_completion_and_get_jobs_prints_its_status()
    {
        Assert.Equal("job.batch/hello created", (await _kubectl.MustAsync(["create", "job", "hello", "-n", _ns, "--image=busybox:1.36", "--", "echo", "hi"], Ct)).Trim());
        var waited = await _kubectl.RunAsync(["wait", "-n", _ns, "--for=condition=Complete", "job/hello", "--timeout=60s"], Ct);
        Assert.True(waited.ExitCode == 0, waited.ToString());
        var table = (await _kubectl.MustAsync(["get", "jobs", "-n", _ns], Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$", table[0]);
        Assert.Matches(@"^hello\s+Complete\s+1/1\s+\d+s\s+\d+s$", table[1]);
        Assert.Matches(@"hello\s+Complete\s+1/1\s+\S+\s+\S+\s+hello\s+busybox:1.36\s+batch.kubernetes.io/controller-uid=", await _kubectl.MustAsync(["get", "jobs", "-n", _ns, "-o", "wide"], Ct));
        var pod = await _kubectl.MustAsync(["get", "pods", "-n", _ns, "-l", "job-name=hello", "-o", "jsonpath={.items[0].spec.containers[0].command}"], Ct);
        Assert.Equal("""["echo","hi"]""", pod);
        Assert.Contains("job.batch/hello", await _kubectl.MustAsync(["get", "all", "-n", _ns, "-o", "name"], Ct), StringComparison.Ordinal);

        Assert.Contains("job.batch \"hello\" deleted", await _kubectl.MustAsync(["delete", "job", "hello", "-n", _ns], Ct), StringComparison.Ordinal);
        await Wait.UntilAsync(async () => await _kubectl.MustAsync(["get", "pods", "-n", _ns, "-l", "job-name=hello", "-o", "name"], Ct), p => p.Length == 0, what: "job pods collected");
    }

    [Fact]
    public async Task Apply_of_a_List_validates_each_item_and_applies_them_all()
    {
        var list = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: from-list}
              data: {a: b}
            - apiVersion: sandbox.test/v1
              kind: Widget
              metadata: {name: listed}
              spec: {size: 2}
            """;
        var applied = await _kubectl.RunAsync(["apply", "-n", _ns, "-f", "-"], Ct, stdin: list);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains("configmap/from-list created", applied.Stdout, StringComparison.Ordinal);
        Assert.Contains("widget.sandbox.test/listed created", applied.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await fixture.Client.GetWidgetAsync(_ns, "listed")).Spec!.Size);

        // The server still validates each item.
        var invalid = await _kubectl.RunAsync(["apply", "-n", _ns, "-f", "-"], Ct, stdin: list.Replace("size: 2", "size: 2, bogus: 1", StringComparison.Ordinal));
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("unknown field \"spec.bogus\"", invalid.Stderr, StringComparison.Ordinal);
    }
}
