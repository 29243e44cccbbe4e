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
        await OnK3sAsync(async (client, config, ct) =>
        {
            await InstallCrdsAsync(client, ct);

            var k8sNode = (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items[0].Metadata.Name;
            await client.CustomObjects.CreateClusterCustomObjectAsync(
                new HandoffNode
                {
                    Metadata = new V1ObjectMeta { Name = "k3s" },
                    Spec = new HandoffNodeSpec { NodeName = k8sNode, Capacity = new Dictionary<string, string> { ["cpu"] = "2", ["memory"] = "1Gi" } },
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
        });
    }

    /// <summary>
    /// A shared cluster's pieces on a real kubelet: <c>--discover-nodes</c> makes the HandoffNode from the k3s Node's
    /// allocatable, a function's pod requests what it costs, a Job whose template names Handoff runs to completion, and
    /// a cordon keeps new work off until it is lifted.
    /// </summary>
    [Fact]
    public async Task Discovery_pod_requests_a_Job_and_a_cordon_work_on_k3s()
    {
        await OnK3sAsync(async (client, config, ct) =>
        {
            await InstallCrdsAsync(client, ct);
            var k8sNode = (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items[0];
            const string ns = "handoff-real";
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct);

            await using var op = await OperatorHost.StartAsync(
                new OperatorOptions { MetricsAddress = "", ProbeAddress = "", LogLevel = "Warning", DiscoverNodes = true }, config,
                new OperatorHostSettings { ConfigureLogging = l => l.AddProvider(new Support.TestLoggerProvider()) }, ct);

            // 1. Discovery: one HandoffNode named after the Node, its capacity the Node's allocatable.
            var discovered = await Wait.ForAsync(
                () => client.CustomObjects.ListClusterCustomObjectAsync<HandoffNodeList>(HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, cancellationToken: ct),
                l => l.Items.Any(n => n.Metadata.Name == k8sNode.Metadata.Name && n.Status?.Capacity?.ContainsKey("cpu") == true),
                "the k3s Node is discovered with its capacity", TimeSpan.FromMinutes(1));
            var hn = discovered.Items.Single(n => n.Metadata.Name == k8sNode.Metadata.Name);
            Assert.Equal(CapacitySources.Node, hn.Spec.CapacityFrom);
            Assert.Equal(k8sNode.Status.Allocatable["cpu"].ToDecimal(), new ResourceQuantity(hn.Status.Capacity!["cpu"]).ToDecimal());

            // 2. The pod claims what the function costs.
            await CreateAsync(client, ns, "claims", [], "echo ok > /dev/termination-log");
            await WaitForPhaseAsync(client, ns, "claims", FunctionPhases.Succeeded, ct);
            var pod = await client.CoreV1.ReadNamespacedPodAsync("claims-1", ns, cancellationToken: ct);
            Assert.Equal(1m, pod.Spec.Containers[0].Resources.Requests["cpu"].ToDecimal());
            Assert.Equal(64m * 1024 * 1024, pod.Spec.Containers[0].Resources.Requests["memory"].ToDecimal());

            // 3. A Job whose pods name Handoff as their scheduler completes.
            await client.BatchV1.CreateNamespacedJobAsync(new V1Job
            {
                Metadata = new V1ObjectMeta { Name = "batch" },
                Spec = new V1JobSpec
                {
                    Parallelism = 2,
                    Completions = 2,
                    Template = new V1PodTemplateSpec
                    {
                        Spec = new V1PodSpec
                        {
                            SchedulerName = "handoff",
                            RestartPolicy = "Never",
                            Containers = [new V1Container
                        {
                            Name = "main", Image = "busybox:1.36", Command = ["true"],
                            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } },
                        }],
                        },
                    },
                },
            }, ns, cancellationToken: ct);
            await Wait.ForAsync(
                () => client.BatchV1.ReadNamespacedJobAsync("batch", ns, cancellationToken: ct),
                j => j.Status?.Succeeded == 2, "the Job completes", TimeSpan.FromMinutes(3));

            // 4. Cordoned, the Node takes nothing new; uncordoned, it does.
            await client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.MergePatch), k8sNode.Metadata.Name, cancellationToken: ct);
            await CreateAsync(client, ns, "after-cordon", [], "echo ok > /dev/termination-log");
            await Wait.ForAsync(
                () => GetAsync(client, ns, "after-cordon", ct),
                f => f.Status?.Phase == FunctionPhases.Pending && f.Status.Message?.Contains("unschedulable", StringComparison.Ordinal) == true,
                "after-cordon waits for the cordon", TimeSpan.FromMinutes(1));
            await client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":false}}", V1Patch.PatchType.MergePatch), k8sNode.Metadata.Name, cancellationToken: ct);
            await WaitForPhaseAsync(client, ns, "after-cordon", FunctionPhases.Succeeded, ct);
        });
    }

    /// <summary>Runs <paramref name="body"/> against a fresh k3s (skips the test with the reason when there is no Docker).</summary>
    private static async Task OnK3sAsync(Func<Kubernetes, KubernetesClientConfiguration, CancellationToken, Task> body)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var k3s = await K3s.StartOrSkipAsync(ct);
        var dir = Directory.CreateTempSubdirectory("handoff-op-k3s-");
        try
        {
            var kubeconfig = await k3s.WriteKubeconfigAsync(Path.Combine(dir.FullName, "kubeconfig"), ct);
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            using var client = new Kubernetes(config);
            await body(client, config, ct);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task InstallCrdsAsync(Kubernetes client, CancellationToken ct)
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Crds, "*.yaml"))
        {
            foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file, ct)).OfType<V1CustomResourceDefinition>())
            {
                await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: ct);
            }
        }

        var expected = Directory.GetFiles(RepoPaths.Crds, "*.yaml").Length;
        await Wait.UntilAsync(
            async () => (await client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: ct)).Items
                .Count(c => c.Spec.Group == HandoffApi.Group && c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true) >= expected,
            "the CRDs are established", TimeSpan.FromMinutes(1));
    }

    private static Task<HandoffFunction> GetAsync(Kubernetes client, string ns, string name, CancellationToken ct) =>
        client.CustomObjects.GetNamespacedCustomObjectAsync<HandoffFunction>(HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, name, cancellationToken: ct);

    private static Task<HandoffFunction> WaitForPhaseAsync(Kubernetes client, string ns, string name, string phase, CancellationToken ct) =>
        Wait.ForAsync(() => GetAsync(client, ns, name, ct), f => f.Status?.Phase == phase, $"{name} is {phase}", TimeSpan.FromMinutes(3));

    private static async Task CreateAsync(Kubernetes client, string ns, string name, string[] args, string script)
    {
        var f = new HandoffFunction
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new HandoffFunctionSpec
            {
                Args = args,
                Cost = new Dictionary<string, string> { ["cpu"] = "1", ["memory"] = "64Mi" },
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
