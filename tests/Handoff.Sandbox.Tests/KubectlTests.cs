using Handoff.Sandbox.Tests.Support;
using k8s;

namespace Handoff.Sandbox.Tests;

/// <summary>The real kubectl binary against the emulator: apply, get (tables), -o yaml, describe, patch, wait, delete, get -w.</summary>
public sealed class KubectlTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private async Task<(Kubectl Kubectl, string Namespace)> SetupAsync()
    {
        var kubectl = Kubectl.For(fixture.KubeconfigPath);
        var ns = await fixture.NewNamespaceAsync();
        var crd = await kubectl.RunWithInputAsync(TestData.WidgetCrd, "apply", "-f", "-");
        Assert.True(crd.ExitCode == 0, crd.ToString());
        return (kubectl, ns);
    }

    private static string WidgetYaml(string name, int size, string? extra = null) => TestData.Widget(name, size, extra);

    [Fact]
    public async Task Apply_get_yaml_describe_and_reapply_a_custom_object()
    {
        var (k, ns) = await SetupAsync();
        using var _ = k;
        var created = await k.RunWithInputAsync(WidgetYaml("w1", 3, "note: hello"), "apply", "-n", ns, "-f", "-");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("widget.sandbox.test/w1 created", created.Stdout.Trim());

        var table = await k.OkAsync("get", "widgets", "-n", ns);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+PHASE\s+SIZE\s+AGE$", lines[0]);
        Assert.Matches(@"^w1\s+3\s+\d+s$", lines[1]);
        var wide = await k.OkAsync("get", "wd", "-n", ns, "-o", "wide");
        Assert.Matches(@"^NAME\s+PHASE\s+SIZE\s+NOTE\s+AGE", wide.Stdout);
        Assert.Contains("hello", wide.Stdout, StringComparison.Ordinal);

        var yaml = await k.OkAsync("get", "widget", "w1", "-n", ns, "-o", "yaml");
        Assert.Contains("size: 3", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("color: red", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", yaml.Stdout, StringComparison.Ordinal);

        var describe = await k.OkAsync("describe", "widget", "w1", "-n", ns);
        Assert.Contains("Kind:         Widget", describe.Stdout, StringComparison.Ordinal);
        Assert.Contains("Size:", describe.Stdout, StringComparison.Ordinal);

        Assert.Equal("widget.sandbox.test/w1 unchanged", (await k.RunWithInputAsync(WidgetYaml("w1", 3, "note: hello"), "apply", "-n", ns, "-f", "-")).Stdout.Trim());
        Assert.Equal("widget.sandbox.test/w1 configured", (await k.RunWithInputAsync(WidgetYaml("w1", 4), "apply", "-n", ns, "-f", "-")).Stdout.Trim());
        var after = await fixture.Client.GetWidgetAsync(ns, "w1");
        Assert.Equal(4, after.Spec!.Size);
        Assert.Null(after.Spec.Note);
        Assert.Equal(2, after.Metadata.Generation);
    }

    [Fact]
    public async Task Invalid_objects_and_unknown_fields_are_rejected_with_the_servers_message()
    {
        var (k, ns) = await SetupAsync();
        using var _ = k;
        var invalid = await k.RunWithInputAsync(WidgetYaml("w1", 101), "apply", "-n", ns, "-f", "-");
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("spec.size: Invalid value: 101: spec.size in body should be less than or equal to 100", invalid.Stderr, StringComparison.Ordinal);

        var unknown = await k.RunWithInputAsync(WidgetYaml("w2", 1, "bogus: 1"), "apply", "-n", ns, "-f", "-");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unknown field \"spec.bogus\"", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_status_subresource_wait_for_jsonpath_and_delete()
    {
        var (k, ns) = await SetupAsync();
        using var _ = k;
        Assert.Equal(0, (await k.RunWithInputAsync(WidgetYaml("w1", 1), "apply", "-n", ns, "-f", "-")).ExitCode);

        using var wait = k.Start("wait", "-n", ns, "--for=jsonpath={.status.phase}=Ready", "widget/w1", "--timeout=30s");
        await k.OkAsync("patch", "widget", "w1", "-n", ns, "--type=merge", "-p", """{"spec":{"size":9}}""");
        await k.OkAsync("patch", "widget", "w1", "-n", ns, "--type=json", "-p", """[{"op":"replace","path":"/spec/color","value":"blue"}]""");
        await k.OkAsync("patch", "widget", "w1", "-n", ns, "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Ready"}}""");
        var waited = await wait.WaitAsync();
        Assert.True(waited.ExitCode == 0, waited.ToString());
        Assert.Contains("condition met", waited.Stdout, StringComparison.Ordinal);

        var w = await fixture.Client.GetWidgetAsync(ns, "w1");
        Assert.Equal((9, "blue", "Ready"), (w.Spec!.Size, w.Spec.Color, w.Status!.Phase));
        Assert.Matches(@"w1\s+Ready\s+9", (await k.OkAsync("get", "widgets", "-n", ns)).Stdout);

        var deleted = await k.OkAsync("delete", "widget", "w1", "-n", ns);
        Assert.Contains("widget.sandbox.test \"w1\" deleted", deleted.Stdout, StringComparison.Ordinal);
        var missing = await k.RunAsync("get", "widget", "w1", "-n", ns);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Error from server (NotFound): widgets.sandbox.test \"w1\" not found", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_watch_prints_rows_as_objects_change()
    {
        var (k, ns) = await SetupAsync();
        using var _ = k;
        Assert.Equal(0, (await k.RunWithInputAsync(WidgetYaml("w1", 1), "apply", "-n", ns, "-f", "-")).ExitCode);
        using var watch = k.Start("get", "widgets", "-n", ns, "-w");
        await Wait.UntilAsync(() => watch.Output.Contains("w1", StringComparison.Ordinal), what: "initial row");
        await fixture.Client.PatchStatusAsync(ns, "w1", """{"status":{"phase":"Running"}}""");
        await fixture.Client.CreateAsync(ns, Widgets.New("w2", 2));
        await Wait.UntilAsync(() => watch.Output.Contains("Running", StringComparison.Ordinal) && watch.Output.Contains("w2", StringComparison.Ordinal),
            what: "watched rows: " + watch.Output);
        Assert.StartsWith("NAME", watch.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Built_in_kinds_apply_with_strategic_merge_and_pods_show_nodes()
    {
        var (k, ns) = await SetupAsync();
        using var _ = k;
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
        var first = await k.RunWithInputAsync(Deployment("1"), "apply", "-n", ns, "-f", "-");
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = await k.RunWithInputAsync(Deployment("2"), "apply", "-n", ns, "-f", "-");
        Assert.Contains("deployment.apps/d1 configured", second.Stdout, StringComparison.Ordinal);
        var d = await fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("d1", ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("2", Assert.Single(d.Spec.Template.Spec.Containers[0].Env).Value);

        await Wait.UntilAsync(async () => (await k.OkAsync("get", "pod", "p1", "-n", ns, "-o", "jsonpath={.status.phase}")).Stdout, s => s == "Succeeded", what: "pod succeeded");
        var pods = await k.OkAsync("get", "pods", "-n", ns, "-o", "wide");
        Assert.Matches(@"p1\s+0/1\s+Completed\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+gpu-1", pods.Stdout);
        var nodes = await k.OkAsync("get", "nodes");
        Assert.Matches(@"gpu-1\s+Ready\s+<none>", nodes.Stdout);
        var describe = await k.OkAsync("describe", "pod", "p1", "-n", ns);
        Assert.Contains("Reason:       Completed", describe.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Imperative_create_of_namespaces_configmaps_secrets_and_serviceaccounts_works()
    {
        var (k, _) = await SetupAsync();
        using var __ = k;
        var ns = "imp-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal($"namespace/{ns} created", (await k.OkAsync("create", "namespace", ns)).Stdout.Trim());
        await k.OkAsync("create", "configmap", "c1", "-n", ns, "--from-literal=a=b");
        await k.OkAsync("create", "secret", "generic", "s1", "-n", ns, "--from-literal=pw=hunter2");
        await k.OkAsync("create", "serviceaccount", "sa1", "-n", ns);
        await k.OkAsync("label", "configmap", "c1", "-n", ns, "tier=web");
        var secret = await fixture.Client.CoreV1.ReadNamespacedSecretAsync("s1", ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("hunter2", System.Text.Encoding.UTF8.GetString(secret.Data["pw"]));
        var cm = await fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("c1", ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(("b", "web"), (cm.Data["a"], cm.Metadata.Labels["tier"]));
        Assert.Matches(@"sa1\s+0", (await k.OkAsync("get", "sa", "-n", ns)).Stdout);
    }
}
