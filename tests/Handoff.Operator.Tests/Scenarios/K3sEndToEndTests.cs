using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// The operator in-process against a real k3s API server and kubelet: CRDs applied, a HandoffNode for the k3s node,
/// a two-step DAG of busybox pods whose termination messages carry the results. Needs a Docker engine; without one
/// the test is skipped with the reason (never reported as passed).
/// </summary>
public sealed class K3sEndToEndTests
{
    [Fact]
    public async Task A_two_step_DAG_runs_on_k3s_and_hands_off_its_result()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var k3s = await K3s.StartOrSkipAsync(ct);
        var dir = Directory.CreateTempSubdirectory("handoff-op-k3s-");
        try
        {
            var kubeconfig = await k3s.WriteKubeconfigAsync(Path.Combine(dir.FullName, "kubeconfig"), ct);
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            using var client = new Kubernetes(config);

            foreach (var file in Directory.GetFiles(RepoPaths.Crds, "*.yaml"))
            {
                foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file, ct)).OfType<V1CustomResourceDefinition>())
                {
                    await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: ct);
                }
            }

            await Wait.UntilAsync(
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
            await Wait.UntilAsync(
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
}
