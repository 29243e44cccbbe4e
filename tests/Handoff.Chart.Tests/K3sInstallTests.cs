using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using Handoff.Chart.Tests.Support;
using Handoff.Testing;

namespace Handoff.Chart.Tests;

/// <summary>
/// The real thing: the operator image built from the Dockerfile, side-loaded into k3s's containerd, the chart
/// installed with `helm install`, and a function scheduled and completed by it. Needs a Docker engine; where there
/// is none (as on the project's machines) the test reports a skip with the reason, never a pass.
/// </summary>
public sealed class K3sInstallTests
{
    private const string OperatorImage = "handoff-operator:e2e";

    [Fact]
    public async Task Helm_install_into_k3s_schedules_a_function_end_to_end()
    {
        var ct = TestContext.Current.CancellationToken;
        _ = Tools.Helm;
        _ = Tools.Kubectl;

        await using var k3s = await K3s.StartOrSkipAsync(ct);
        var workDir = Directory.CreateTempSubdirectory("handoff-k3s-");
        try
        {
            // 1. Build the operator image from the repository's Dockerfile and side-load it into k3s.
            var image = new ImageFromDockerfileBuilder()
                .WithDockerfileDirectory(RepoPaths.Root)
                .WithDockerfile("Dockerfile")
                .WithName(OperatorImage)
                .WithCleanUp(true)
                .Build();
            await image.CreateAsync(ct);

            using (var docker = TestcontainersSettings.OS.DockerEndpointAuthConfig.GetDockerClientBuilder(Guid.NewGuid()).Build())
            await using (var saved = await docker.Images.SaveImageAsync(OperatorImage, ct))
            {
                using var buffer = new MemoryStream();
                await saved.CopyToAsync(buffer, ct);
                await k3s.CopyAsync(buffer.ToArray(), "/tmp/handoff-operator.tar", ct: ct);
            }

            var import = await k3s.ExecAsync(["ctr", "-n", "k8s.io", "images", "import", "/tmp/handoff-operator.tar"], ct);
            Assert.True(import.ExitCode == 0, $"ctr images import failed: {import.Stderr}{import.Stdout}");

            var kubeconfig = await k3s.WriteKubeconfigAsync(Path.Combine(workDir.FullName, "kubeconfig"), ct);
            using var kubectl = new Kubectl(kubeconfig);

            // 2. helm install, waiting until the operator is Ready (its readiness probe passes).
            var install = await Helm.RunAsync(
                [
                    "install", "handoff", RepoPaths.Chart, "--kubeconfig", kubeconfig,
                    "--namespace", "handoff-system", "--create-namespace", "--wait", "--timeout", "5m",
                    "--set", "image.repository=docker.io/library/handoff-operator", "--set", "image.tag=e2e",
                    "--set", "image.pullPolicy=Never",
                ],
                ct);
            Assert.True(install.Succeeded, install + "\n" + await DiagnosticsAsync(kubectl, ct));

            // 3. A HandoffNode for the k3s node, and a function in a fresh namespace.
            var nodeName = (await kubectl.MustAsync(["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"], ct)).Trim();
            var ns = "e2e-" + Guid.NewGuid().ToString("N")[..8];
            await kubectl.MustAsync(["create", "namespace", ns], ct);
            var manifests = new StringBuilder()
                .Append($$"""
                    apiVersion: handoff.dev/v1alpha1
                    kind: HandoffNode
                    metadata:
                      name: k3s-node
                    spec:
                      nodeName: {{nodeName}}
                      capacity: {cpu: "4", memory: "4000"}
                    ---
                    apiVersion: handoff.dev/v1alpha1
                    kind: HandoffFunction
                    metadata:
                      name: hello
                      namespace: {{ns}}
                    spec:
                      cost: {cpu: "1", memory: "1000"}
                      template:
                        spec:
                          containers:
                          - name: main
                            image: busybox:1.36
                            command: ["sh", "-c", "echo 42 > /dev/termination-log"]
                    """)
                .ToString();
            await kubectl.MustAsync(["apply", "-f", "-"], ct, stdin: manifests);

            // 4. The operator binds the pod, k3s runs it, the result is handed back.
            var wait = await kubectl.RunAsync(
                ["wait", "-n", ns, "handofffunction/hello", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=300s"],
                ct,
                timeout: TimeSpan.FromSeconds(320));
            Assert.True(wait.Succeeded, wait + "\n" + await DiagnosticsAsync(kubectl, ct, ns));
            var result = await kubectl.MustAsync(["get", "-n", ns, "hf", "hello", "-o", "jsonpath={.status.result}"], ct);
            Assert.Equal("42", result.Trim());
            var scheduler = await kubectl.MustAsync(["get", "-n", ns, "pods", "-l", "handoff.dev/function=hello", "-o", "jsonpath={.items[0].spec.schedulerName}"], ct);
            Assert.Equal("handoff", scheduler.Trim());

            var uninstall = await Helm.RunAsync(["uninstall", "handoff", "--kubeconfig", kubeconfig, "--namespace", "handoff-system", "--wait"], ct);
            Assert.True(uninstall.Succeeded, uninstall.ToString());
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    private static async Task<string> DiagnosticsAsync(Kubectl kubectl, CancellationToken ct, string? ns = null)
    {
        var text = new StringBuilder();
        foreach (var args in new[]
        {
            new[] { "get", "pods", "-A", "-o", "wide" },
            ["get", "hf,hn", "-A", "-o", "yaml"],
            ["-n", "handoff-system", "logs", "deployment/handoff", "--tail=100"],
            ["get", "events", "-n", ns ?? "handoff-system"],
        })
        {
            var result = await kubectl.RunAsync(args, ct);
            text.Append("$ kubectl ").AppendJoin(' ', args).Append('\n').Append(result.Stdout).Append(result.Stderr);
        }

        return text.ToString();
    }
}
