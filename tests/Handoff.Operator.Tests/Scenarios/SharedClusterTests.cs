using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Core.Workloads;
using Handoff.Operator.Tests.Support;
using Handoff.Sandbox;
using Handoff.Testing;
using Handoff.Testing.Builders;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// Handoff on a shared cluster (issue "Real clusters"): HandoffNodes whose capacity comes from the Node, pods that
/// claim what they cost (devices included), other workloads' pods, cordons, taints and the kubelet's own admission —
/// against the sandbox's Nodes, kubelet and default scheduler, which model Kubernetes' (pinned by the contract suite).
/// </summary>
public sealed class SharedClusterTests
{
    private static Dictionary<string, string> Cost(params (string Resource, string Quantity)[] entries) =>
        entries.ToDictionary(e => e.Resource, e => e.Quantity);

    private static HandoffNodeBuilder FromNode(string name) => TestObjects.HandoffNode(name).CapacityFromNode();

    /// <summary>A pod of another workload, bound straight to <paramref name="node"/>, requesting <paramref name="cpu"/>, running <paramref name="duration"/>.</summary>
    private static V1Pod OtherWorkload(string name, string node, string cpu, string duration) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { [SimulatedKubelet.DurationAnnotation] = duration } },
        Spec = new V1PodSpec
        {
            NodeName = node,
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } } }],
        },
    };

    private static async Task PatchNodeAsync(SandboxCluster cluster, string node, string patch) =>
        await cluster.Client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), node, cancellationToken: SandboxCluster.Ct);

    [Fact]
    public async Task A_GPU_function_gets_the_device_it_costs_from_a_Node_that_has_it()
    {
        await using var cluster = await SandboxCluster.StartAsync(
            [new SandboxNode("cpu-1"), new SandboxNode("gpu-1") { Allocatable = new Dictionary<string, string> { ["nvidia.com/gpu"] = "2" } }],
            simulateKubelet: true);
        await cluster.CreateNodeAsync(FromNode("cpu-1"));
        await cluster.CreateNodeAsync(FromNode("gpu-1"));
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(SandboxCluster.Function("train", Cost(("nvidia.com/gpu", "1"), ("cpu", "500m"))));

        var done = await cluster.WaitForPhaseAsync("train", FunctionPhases.Succeeded);
        Assert.Equal("gpu-1", done.Status.Node);
        var pod = Assert.Single(await cluster.PodsAsync("train"));
        var resources = pod.Spec.Containers[0].Resources;
        Assert.Equal("1", resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Equal("1", resources.Requests["nvidia.com/gpu"].ToString());
        Assert.Equal("500m", resources.Requests["cpu"].ToString());
        Assert.False(string.IsNullOrEmpty(pod.Metadata.Annotations?[SimulatedKubelet.DevicesAnnotation]), "the kubelet assigned a device");

        var gpu = await cluster.GetNodeAsync("gpu-1");
        Assert.Equal(("2", "8"), (gpu.Status.Capacity!["nvidia.com/gpu"], gpu.Status.Capacity["cpu"]));
    }

    [Fact]
    public async Task What_other_workloads_run_on_a_Node_is_not_given_to_functions()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2"], simulateKubelet: true);
        await cluster.CreateNodeAsync(FromNode("n1"));
        await cluster.CreateNodeAsync(FromNode("n2"));
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(OtherWorkload("web", "n1", "6", "1h"), cluster.Namespace, cancellationToken: SandboxCluster.Ct);
        await cluster.StartOperatorAsync();

        var n1 = await Wait.ForAsync(() => cluster.GetNodeAsync("n1"), n => n.Status?.External?.ContainsKey("cpu") == true, "n1 reports the other workload");
        Assert.Equal(("6", "2"), (n1.Status.External!["cpu"], n1.Status.Available!["cpu"]));

        // First-available would take n1 if its 8 cpus were free; 4 do not fit beside the other workload's 6.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("f", Cost(("cpu", "4"))));
        var f = await cluster.WaitForPhaseAsync("f", FunctionPhases.Succeeded);
        Assert.Equal("n2", f.Status.Node);
        Assert.Single(await cluster.PodsAsync("f"));
    }

    [Fact]
    public async Task A_cordoned_Node_takes_no_new_function_until_uncordoned()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2"]);
        await cluster.CreateNodeAsync(FromNode("n1"));
        await cluster.CreateNodeAsync(FromNode("n2"));
        // Cordoned before the operator starts, so its first list has the cordon (a watch event may come after a create).
        await PatchNodeAsync(cluster, "n1", """{"spec":{"unschedulable":true}}""");
        await cluster.StartOperatorAsync();

        // A function pinned to n1 says why it waits.
        var pinned = TestObjects.Function("pinned").Cost("cpu", "1").PinnedTo("n1").BuildForCreate();
        await cluster.CreateFunctionAsync(pinned);
        await cluster.WaitForFunctionAsync("pinned", f => f.Status?.Message?.Contains("node(s) were unschedulable", StringComparison.Ordinal) == true, "waits for the cordon");
        await cluster.CreateFunctionAsync(SandboxCluster.Function("free", Cost(("cpu", "1"))));
        Assert.Equal("n2", (await cluster.WaitForPhaseAsync("free", FunctionPhases.Scheduled)).Status.Node);

        await PatchNodeAsync(cluster, "n1", """{"spec":{"unschedulable":false}}""");
        Assert.Equal("n1", (await cluster.WaitForPhaseAsync("pinned", FunctionPhases.Scheduled)).Status.Node);
    }

    [Fact]
    public async Task A_tainted_Node_takes_only_functions_that_tolerate_the_taint()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync(FromNode("n1"));
        // Tainted before the operator starts, so its first list has the taint.
        await PatchNodeAsync(cluster, "n1", """{"spec":{"taints":[{"key":"dedicated","value":"gpu","effect":"NoSchedule"}]}}""");
        await cluster.StartOperatorAsync();

        await cluster.CreateFunctionAsync(SandboxCluster.Function("plain", Cost(("cpu", "1"))));
        var plain = await cluster.WaitForFunctionAsync("plain", f => f.Status?.Message?.Contains("untolerated taint", StringComparison.Ordinal) == true, "waits for a node without the taint");
        Assert.Equal("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.", plain.Status.Message);
        Assert.Empty(await cluster.PodsAsync("plain"));

        await cluster.CreateFunctionAsync(TestObjects.Function("tolerant").Cost("cpu", "1").Toleration("dedicated", "gpu", "NoSchedule").BuildForCreate());
        Assert.Equal("n1", (await cluster.WaitForPhaseAsync("tolerant", FunctionPhases.Scheduled)).Status.Node);
        var pod = await cluster.WaitForBoundPodAsync("tolerant");
        Assert.Contains(pod.Spec.Tolerations, t => t.Key == "dedicated" && t.Value == "gpu");
    }

    [Fact]
    public async Task A_pod_the_kubelet_rejects_is_placed_again_without_using_an_attempt()
    {
        // The HandoffNode's own capacity (8) does not know the other workload's 6: the kubelet does, and refuses.
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(OtherWorkload("web", "n1", "6", "3s"), cluster.Namespace, cancellationToken: SandboxCluster.Ct);
        await Wait.ForAsync(() => cluster.Client.CoreV1.ReadNamespacedPodAsync("web", cluster.Namespace, cancellationToken: SandboxCluster.Ct), p => p.Status?.Phase == "Running", "the other workload runs");
        await cluster.CreateNodeAsync("n1", Cost(("cpu", "8")));
        await cluster.StartOperatorAsync();
        var f = SandboxCluster.Function("f", Cost(("cpu", "4")));
        f.Spec.MaxRetries = 0;
        await cluster.CreateFunctionAsync(f);

        var done = await cluster.WaitForPhaseAsync("f", FunctionPhases.Succeeded, TimeSpan.FromSeconds(40));
        Assert.Equal(1, done.Status.Attempts);
        var pods = await cluster.PodsAsync("f");
        Assert.True(pods.Count >= 2, $"rejected, then placed again ({pods.Count} pods)");
        Assert.Contains(pods, p => p.Status.Reason == "OutOfcpu");
        Assert.All(pods, p => Assert.Equal("1", p.Metadata.Labels[HandoffApi.AttemptLabel]));
        var rejected = (await cluster.EventsAsync()).Where(e => e.Reason == Reasons.NodeRejected && e.InvolvedObject.Name == "f").ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, e => Assert.Equal("Warning", e.Type));
    }

    [Fact]
    public async Task A_memory_cost_in_megabytes_on_a_Node_backed_HandoffNode_is_warned_about()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync(FromNode("n1"));
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(SandboxCluster.Function("mb", Cost(("memory", "4000"))));

        await cluster.WaitForPhaseAsync("mb", FunctionPhases.Scheduled);
        var warning = await Wait.ForAsync(
            async () => (await cluster.EventsAsync()).FirstOrDefault(e => e.Reason == SuspiciousQuantity.Reason),
            e => e is not null, "a SuspiciousQuantity Event");
        Assert.Equal(("Warning", "mb"), (warning!.Type, warning.InvolvedObject.Name));
        Assert.Equal($"function {cluster.Namespace}/mb: memory cost 4000 is under 1Mi; a Node counts memory in bytes, so this is 4000 bytes (write 4000M or 4000Mi for megabytes)", warning.Message);
    }
}
