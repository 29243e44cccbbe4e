using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Sandbox;
using k8s;

namespace Handoff.Cli.Tests.Sandbox;

/// <summary><c>handoff sandbox</c> without <c>--until-done</c>: runs until cancelled; flags and bad input.</summary>
public sealed class SandboxCommandTests
{
    [Fact]
    public async Task No_operator_runs_the_bare_emulator_prints_sandbox_ready_and_leaves_functions_alone()
    {
        await using var run = SandboxRun.Start("--no-operator", "--apply", SandboxRun.Examples("seed"));
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));

        Assert.Contains("handofffunction.handoff.dev/seed-cpu-task created", run.Output.Text, StringComparison.Ordinal);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(run.KubeconfigPath));
        var ct = TestContext.Current.CancellationToken;
        var functions = await client.CustomObjects.ListClusterCustomObjectAsync<HandoffFunctionList>(
            HandoffApi.Group, HandoffApi.Version, HandoffApi.FunctionPlural, cancellationToken: ct);
        Assert.Equal(4, functions.Items.Count);
        Assert.All(functions.Items, f => Assert.Null(f.Status?.Phase));

        // No operator, so no simulated node is added for the HandoffNodes either.
        var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: ct);
        Assert.Equal(["gpu-1", "node-1", "node-2"], nodes.Items.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal));

        Assert.Equal(0, await run.StopAsync());
        Assert.EndsWith("sandbox stopped\n", run.Output.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_operator_applied_functions_run_and_HandoffNodes_get_simulated_nodes()
    {
        await using var run = SandboxRun.Start("--apply", SandboxRun.Examples("dag"), "--pod-duration", "50ms");
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));
        await run.Output.WaitForAsync("simulated node dag-worker-2 added", TimeSpan.FromSeconds(30));

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(run.KubeconfigPath));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var request = client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<HandoffFunctionList>(
            HandoffApi.Group, HandoffApi.Version, "default", HandoffApi.FunctionPlural, watch: true, cancellationToken: ct);
#pragma warning disable CS0618 // the typed response watch, as the operator uses it
        await foreach (var (_, f) in request.WatchAsync<HandoffFunction, HandoffFunctionList>(cancellationToken: ct))
#pragma warning restore CS0618
        {
            if (f.Metadata.Name == "dag-sum" && f.Status?.Phase == FunctionPhases.Succeeded)
            {
                Assert.Equal("64", f.Status.Result);
                break;
            }
        }

        var node = await client.CoreV1.ReadNodeAsync("dag-worker-1", cancellationToken: ct);
        Assert.Equal("true", node.Metadata.Annotations[SimulatedKubelet.SimulatedNodeAnnotation]);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task Admin_port_serves_fault_injection_and_the_write_journal_apart_from_the_API()
    {
        await using var run = SandboxRun.Start("--no-operator", "--admin-port", "0", "--record-writes");
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));
        var line = run.Output.Text.Split('\n').Single(l => l.StartsWith("admin endpoint (fault injection, request counts, write journal): ", StringComparison.Ordinal));
        var admin = new Uri(line[(line.LastIndexOf(' ') + 1)..]);
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient();
        using var body = new StringContent("""{"count":1,"status":503,"verb":"list","resource":"namespaces"}""", System.Text.Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri(admin, "faults/fail"), body, ct)).EnsureSuccessStatusCode();
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(run.KubeconfigPath));
        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ListNamespaceAsync(cancellationToken: ct));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.Response.StatusCode);
        Assert.Contains("\"resource\":\"customresourcedefinitions.apiextensions.k8s.io\"", await http.GetStringAsync(new Uri(admin, "journal"), ct), StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task Node_status_period_makes_each_simulated_kubelet_post_its_Node_status_with_nothing_changed()
    {
        await using var run = SandboxRun.Start("--no-operator", "--node-status-period", "300ms");
        await run.Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(30));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(run.KubeconfigPath));
        var ct = TestContext.Current.CancellationToken;
        var before = await client.CoreV1.ReadNodeAsync("node-1", cancellationToken: ct);
        static DateTime? Heartbeat(k8s.Models.V1Node node) => node.Status.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime;

        var after = await Handoff.Testing.Wait.ForAsync(
            () => client.CoreV1.ReadNodeAsync("node-1", cancellationToken: ct), n => n.Metadata.ResourceVersion != before.Metadata.ResourceVersion,
            "node-1 posts its status again");

        Assert.True(Heartbeat(after) > Heartbeat(before));
        // A report, not a change: the facts stay as they were.
        Assert.Equal(KubernetesJson.Serialize(before.Status.Allocatable), KubernetesJson.Serialize(after.Status.Allocatable));
        Assert.Equal(before.Spec.Unschedulable, after.Spec.Unschedulable);
        Assert.Equal(0, await run.StopAsync());
    }

    [Theory]
    [InlineData("--node-status-period often", "--node-status-period: \"often\" is not a positive duration")]
    [InlineData("--node-status-period 5m --no-kubelet", "--node-status-period is how often the simulated kubelets post their Nodes' status; it cannot be used with --no-kubelet")]
    [InlineData("--admin-port 70000", "--admin-port must be between 0 and 65535, got 70000")]
    [InlineData("--until-done --no-operator --apply examples/seed", "--until-done needs the operator")]
    [InlineData("--until-done", "--until-done needs at least one --apply PATH")]
    [InlineData("--strategy Bogus", "--strategy: \"Bogus\" is not one of FirstAvailable, LoadBalanced, BestFit")]
    [InlineData("--strategy BestFit --no-operator", "--strategy is the operator's default strategy; it cannot be used with --no-operator")]
    [InlineData("--timeout 5m", "--timeout applies only with --until-done")]
    [InlineData("--until-done --apply examples/seed --timeout soon", "--timeout: \"soon\" is not a positive duration")]
    [InlineData("--pod-duration fast", "--pod-duration: \"fast\" is not a duration")]
    [InlineData("--apply no/such/dir", "the path \"no/such/dir\" does not exist")]
    [InlineData("--discover-nodes pool=general --no-operator", "--discover-nodes is the operator's node discovery; it cannot be used with --no-operator")]
    public async Task Bad_flags_give_a_clear_error_and_exit_1_before_anything_starts(string args, string message)
    {
        var argv = args.Split(' ').Select(a => a == "examples/seed" ? SandboxRun.Examples("seed") : a).ToArray();
        var (exit, output, error) = await SandboxRun.RunAsync(argv);

        Assert.Equal(1, exit);
        Assert.Contains("error: " + message, error, StringComparison.Ordinal);
        Assert.DoesNotContain(SandboxHost.ReadyLine, output, StringComparison.Ordinal);
    }
}
