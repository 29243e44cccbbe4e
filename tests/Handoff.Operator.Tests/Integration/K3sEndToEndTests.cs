using System.Net.Sockets;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Testcontainers.K3s;

namespace Handoff.Operator.Tests.Integration;

/// <summary>
/// The operator in-process against a real k3s API server and kubelet: CRDs applied, a HandoffNode for the k3s node,
/// a two-step DAG of busybox pods whose termination messages carry the results. Needs a Docker engine; without one
/// the test is skipped with the reason (never reported as passed).
/// </summary>
public sealed class K3sEndToEndTests
{
    private const string K3sImage = "rancher/k3s:v1.31.5-k3s1";

    [Fact]
    public async Task A_two_step_DAG_runs_on_k3s_and_hands_off_its_result()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!DockerReachable(out var reason))
        {
            Assert.Skip("No Docker engine reachable: " + reason);
        }

        K3sContainer k3s;
        try
        {
            k3s = new K3sBuilder(K3sImage).Build();
            await k3s.StartAsync(ct);
        }
        catch (DotNet.Testcontainers.Builders.DockerUnavailableException ex)
        {
            Assert.Skip("No Docker engine reachable: " + ex.Message);
            throw;
        }

        await using var _ = k3s;
        var dir = Directory.CreateTempSubdirectory("handoff-op-k3s-");
        try
        {
            var kubeconfig = Path.Combine(dir.FullName, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, await k3s.GetKubeconfigAsync(), ct);
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            using var client = new Kubernetes(config);

            foreach (var file in Directory.GetFiles(Support.SandboxCluster.CrdsDirectory(), "*.yaml"))
            {
                foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file, ct)).OfType<V1CustomResourceDefinition>())
                {
                    await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: ct);
                }
            }

            await Support.Wait.UntilAsync(
                async () => (await client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: ct)).Items
                    .Count(c => c.Spec.Group == HandoffApi.Group && c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true) == 2,
                "the CRDs are established", TimeSpan.FromMinutes(1));

            var k8sNode = (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items[0].Metadata.Name;
            await client.CustomObjects.CreateClusterCustomObjectAsync(
                new HandoffNode
                {
                    Metadata = new V1ObjectMeta { Name = "k3s" },
                    Spec = new HandoffNodeSpec { NodeName = k8sNode, Capacity = new Dictionary<string, string> { ["cpu"] = "2", ["memory"] = "1000" } },
                },
                HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: ct);
            const string ns = "handoff-e2e";
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct);

            await using var op = await OperatorHost.StartAsync(
                new OperatorOptions { MetricsAddress = "", ProbeAddress = "", LogLevel = "Warning" }, config,
                new OperatorHostSettings { ConfigureLogging = l => l.AddProvider(new Support.TestLoggerProvider()) }, ct);

            await CreateAsync(client, ns, "produce", [], "echo 21 > /dev/termination-log");
            await CreateAsync(client, ns, "double", ["produce"], "echo $((HANDOFF_ARG_0 * 2)) > /dev/termination-log");

            HandoffFunction? last = null;
            await Support.Wait.UntilAsync(
                async () =>
                {
                    last = await client.CustomObjects.GetNamespacedCustomObjectAsync<HandoffFunction>(
                        HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, "double", cancellationToken: ct);
                    return FunctionPhases.IsTerminal(last.Status?.Phase);
                },
                "double finishes", TimeSpan.FromMinutes(4));
            Assert.Equal(FunctionPhases.Succeeded, last!.Status.Phase);
            Assert.Equal("42", last.Status.Result?.Trim());
            var pod = await client.CoreV1.ReadNamespacedPodAsync("double-1", ns, cancellationToken: ct);
            Assert.Equal(k8sNode, pod.Spec.NodeName);
            Assert.Equal("handoff", pod.Spec.SchedulerName);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task CreateAsync(Kubernetes client, string ns, string name, string[] args, string script)
    {
        var f = new HandoffFunction
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new HandoffFunctionSpec
            {
                Args = args,
                Cost = new Dictionary<string, string> { ["cpu"] = "1", ["memory"] = "100" },
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sh", "-c", script] }],
                    },
                },
            },
        };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            f, HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>Whether a Docker engine answers where Testcontainers would look for one.</summary>
    private static bool DockerReachable(out string reason)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host) && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            reason = "";
            return true;
        }

        var socket = string.IsNullOrEmpty(host) ? "/var/run/docker.sock" : host["unix://".Length..];
        if (!File.Exists(socket))
        {
            reason = $"no Docker socket at {socket} and DOCKER_HOST is not set";
            return false;
        }

        try
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(socket));
            reason = "";
            return true;
        }
        catch (SocketException e)
        {
            reason = $"cannot connect to {socket}: {e.Message}";
            return false;
        }
    }
}
