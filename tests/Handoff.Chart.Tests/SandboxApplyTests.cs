using System.Net;
using Handoff.Api.V1Alpha1;
using Handoff.Chart.Tests.Support;
using Handoff.Operator;
using Handoff.Sandbox;
using Handoff.Testing;
using k8s;

namespace Handoff.Chart.Tests;

/// <summary>
/// `helm template | kubectl apply -f -` against the sandbox emulator (real kubectl, over HTTP), then the operator
/// started in-process with the applied Deployment's arguments and environment schedules the NOTES' first function.
/// </summary>
public sealed class SandboxApplyTests
{
    [Fact]
    public async Task Rendered_chart_applies_to_the_sandbox_and_the_operator_runs_with_its_configuration_and_rbac()
    {
        var ct = TestContext.Current.CancellationToken;
        // The NetworkPolicy on, and the metrics reader bound to a scraper's ServiceAccount.
        var rendered = await Helm.TemplateAsync([], ct, includeCrds: true, set:
        [
            "networkPolicy.enabled=true",
            "metrics.reader.subjects[0].kind=ServiceAccount", "metrics.reader.subjects[0].name=prometheus", "metrics.reader.subjects[0].namespace=monitoring",
        ]);
        Assert.True(rendered.Succeeded, rendered.ToString());

        // With RBAC enforced, as on a cluster: what the chart grants is all the operator has.
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Nodes = [new SandboxNode("node-1")], Rbac = true }, ct);
        var workDir = Directory.CreateTempSubdirectory("handoff-chart-sandbox-");
        try
        {
            using var kubectl = new Kubectl(sandbox.WriteKubeconfig(Path.Combine(workDir.FullName, "kubeconfig")));
            await kubectl.MustAsync(["apply", "-f", "-"], ct, stdin: NamespaceYaml(Helm.Namespace) + "---\n" + NamespaceYaml("monitoring"));

            // 1. The whole chart (CRDs included) applies with the real kubectl.
            var applied = await kubectl.MustAsync(["apply", "-f", "-"], ct, stdin: rendered.Stdout);
            foreach (var obj in Support.Manifests.Parse(rendered.Stdout))
            {
                Assert.Contains($"/{obj.Name} created", applied, StringComparison.Ordinal);
            }

            using var client = sandbox.CreateClient();
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("handoff", Helm.Namespace, cancellationToken: ct);
            var clusterRole = await client.RbacAuthorizationV1.ReadClusterRoleAsync($"{Helm.Namespace}-handoff", cancellationToken: ct);
            Assert.Equal(13, clusterRole.Rules.Count); // discoverNodes off: no discovery rule
            Assert.Single((await client.NetworkingV1.ListNamespacedNetworkPolicyAsync(Helm.Namespace, cancellationToken: ct)).Items);

            // 2. The operator, configured by the applied Deployment's args and env (downward API resolved as the
            //    kubelet would), authenticated as the chart's ServiceAccount with a token from `kubectl create token`
            //    (what the kubelet mounts for the pod); listeners moved to free local ports so tests can run in parallel.
            var token = (await kubectl.MustAsync(["create", "token", deployment.Spec.Template.Spec.ServiceAccountName, "-n", Helm.Namespace], ct)).Trim();
            var (metricsPort, probePort) = (FreePort(), FreePort());
            var options = ChartRenderTests.BindOperatorOptions(deployment) with
            {
                Kubeconfig = kubectl.KubeconfigPath,
                MetricsAddress = $"127.0.0.1:{metricsPort}",
                ProbeAddress = $"127.0.0.1:{probePort}",
            };
            await using var op = await OperatorHost.StartAsync(options, sandbox.CreateClientConfiguration(token), cancellationToken: ct);

            // 3. The NOTES' first node and function, in a fresh namespace.
            var notes = await NotesTests.RenderNotesAsync([], ct);
            var ns = "notes-" + Guid.NewGuid().ToString("N")[..8];
            await kubectl.MustAsync(["apply", "-f", "-"], ct, stdin: NamespaceYaml(ns));
            await kubectl.MustAsync(["apply", "-f", "-"], ct, stdin: NotesTests.Block(notes, "HandoffNode"));
            await kubectl.MustAsync(["apply", "-n", ns, "-f", "-"], ct, stdin: NotesTests.Block(notes, "HandoffFunction"));

            var wait = await kubectl.RunAsync(
                ["wait", "-n", ns, "hf/hello", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=45s"], ct, timeout: TimeSpan.FromSeconds(55));
            var function = await client.CustomObjects.GetNamespacedCustomObjectAsync<HandoffFunction>(
                HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, "hello", ct);
            var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{HandoffApi.FunctionLabel}=hello", cancellationToken: ct);
            Assert.True(
                wait.Succeeded,
                $"{wait}\nfunction status: {KubernetesJson.Serialize(function.Status)}\npods: {KubernetesJson.Serialize(pods.Items.Select(p => p.Status))}"
                + $"\nrefused: {string.Join("; ", sandbox.Authorizations.Denied())}");

            var pod = Assert.Single(pods.Items);
            Assert.Equal(options.SchedulerName, pod.Spec.SchedulerName);
            Assert.Equal("node-1", pod.Spec.NodeName);
            Assert.Equal("node-1", function.Status.Node);
            Assert.Empty(sandbox.Authorizations.Denied());

            // 4. /metrics over HTTPS: the ServiceAccount bound to the chart's metrics reader gets them, another is refused.
            await kubectl.MustAsync(["create", "serviceaccount", "prometheus", "-n", "monitoring"], ct);
            await kubectl.MustAsync(["create", "serviceaccount", "stranger", "-n", "monitoring"], ct);
            Assert.Equal(HttpStatusCode.OK, await ScrapeAsync(metricsPort, (await kubectl.MustAsync(["create", "token", "prometheus", "-n", "monitoring"], ct)).Trim(), ct));
            Assert.Equal(HttpStatusCode.Forbidden, await ScrapeAsync(metricsPort, (await kubectl.MustAsync(["create", "token", "stranger", "-n", "monitoring"], ct)).Trim(), ct));
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    private static async Task<HttpStatusCode> ScrapeAsync(int port, string token, CancellationToken ct)
    {
        using var tls = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(tls);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://127.0.0.1:{port}/metrics"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static TheoryData<string, string> InvalidObjects => new()
    {
        { "kind: HandoffFunction\nmetadata: {name: f, namespace: default}\nspec: {maxRetries: -1}", "spec.maxRetries" },
        { "kind: HandoffFunction\nmetadata: {name: f, namespace: default}\nspec: {strategy: Random}", "spec.strategy" },
        { "kind: HandoffFunction\nmetadata: {name: f, namespace: default}\nspec: {cost: {cpu: lots}}", "spec.cost.cpu" },
        { "kind: HandoffFunction\nmetadata: {name: f, namespace: default}\nspec: {args: [Not_A_Name]}", "spec.args[0]" },
        { "kind: HandoffNode\nmetadata: {name: node-x}\nspec: {capacity: {\"bad name!\": \"1\"}}", "spec.capacity" },
        { "kind: HandoffNode\nmetadata: {name: node-x}\nspec: {nodeName: node-x}", "capacity needs at least one resource unless capacityFrom is Node" },
    };

    [Theory]
    [MemberData(nameof(InvalidObjects))]
    public async Task Chart_crds_make_the_api_server_reject_invalid_objects(string yaml, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        var crds = await Helm.RunAsync(["show", "crds", RepoPaths.Chart], ct);
        Assert.True(crds.Succeeded, crds.ToString());
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Nodes = [], SimulateKubelet = false }, ct);
        var workDir = Directory.CreateTempSubdirectory("handoff-chart-sandbox-");
        try
        {
            using var kubectl = new Kubectl(sandbox.WriteKubeconfig(Path.Combine(workDir.FullName, "kubeconfig")));
            await kubectl.MustAsync(["apply", "-f", "-"], ct, stdin: crds.Stdout);
            await kubectl.MustAsync(["wait", "--for=condition=Established", "crd/handoffnodes.handoff.dev", "crd/handofffunctions.handoff.dev", "--timeout=30s"], ct);

            var result = await kubectl.RunAsync(["apply", "-f", "-"], ct, stdin: "apiVersion: handoff.dev/v1alpha1\n" + yaml + "\n");
            Assert.False(result.Succeeded, $"the invalid object was accepted: {result}");
            Assert.Contains("is invalid", result.Stderr, StringComparison.Ordinal);
            Assert.Contains(field, result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    // Namespaces are applied from YAML (JSON on the wire), as the chart's users write them.
    private static string NamespaceYaml(string name) => $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n";
}
