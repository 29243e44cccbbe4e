using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Kubelet;

/// <summary>
/// The simulated kubelet's admission in detail: what the pods it admitted hold, the pod count, extended resources,
/// NoExecute taints, events, and pods admitted earlier keeping their place when the node changes.
/// </summary>
public sealed class PodAdmissionTests : EmulatorTest
{
    protected override SandboxOptions Options => new()
    {
        Nodes =
        [
            new SandboxNode("n1") { Allocatable = new Dictionary<string, string> { ["cpu"] = "2", ["pods"] = "3", ["nvidia.com/gpu"] = "1" } },
            new SandboxNode("tainted") { Taints = [new SandboxTaint("maintenance", "now", "NoExecute")] },
        ],
    };

    private static V1Pod Bound(string name, string node, string? cpu = null, string? gpus = null)
    {
        var pod = Pod(name, node, new() { [SimulatedKubelet.DurationAnnotation] = "1h" });
        var limits = new Dictionary<string, ResourceQuantity>();
        var requests = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            requests["cpu"] = new(cpu);
        }

        if (gpus is not null)
        {
            limits["nvidia.com/gpu"] = new(gpus);
        }

        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = requests, Limits = limits };
        return pod;
    }

    private async Task<V1Pod> RejectedAsync(V1Pod pod)
    {
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Ct);
        return await PodPhaseAsync(pod.Metadata.Name, "Failed");
    }

    [Fact]
    public async Task Admitted_pods_hold_their_requests_until_they_end()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Bound("a", "n1", cpu: "1500m"), "default", cancellationToken: Ct);
        await PodPhaseAsync("a", "Running");
        var rejected = await RejectedAsync(Bound("b", "n1", cpu: "1"));
        Assert.Equal(("OutOfcpu", "Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000"), (rejected.Status.Reason, rejected.Status.Message));
        var ev = Assert.Single((await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=b", cancellationToken: Ct)).Items);
        Assert.Equal(("Warning", "OutOfcpu", "kubelet", "n1"), (ev.Type, ev.Reason, ev.Source.Component, ev.Source.Host));
        Assert.Equal("Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000", ev.Message);

        Server.Kubelet.FinishPod("default", "a");
        await Client.CoreV1.CreateNamespacedPodAsync(Bound("c", "n1", cpu: "1"), "default", cancellationToken: Ct);
        await PodPhaseAsync("c", "Running");
    }

    [Fact]
    public async Task The_pod_count_and_extended_resources_are_limits_too()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Bound("g1", "n1", gpus: "1"), "default", cancellationToken: Ct);
        await PodPhaseAsync("g1", "Running");
        var noGpu = await RejectedAsync(Bound("g2", "n1", gpus: "1"));
        Assert.Equal(("OutOfnvidia.com/gpu", "Pod was rejected: Node didn't have enough resource: nvidia.com/gpu, requested: 1, used: 1, capacity: 1"), (noGpu.Status.Reason, noGpu.Status.Message));

        await Client.CoreV1.CreateNamespacedPodAsync(Bound("p2", "n1"), "default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodAsync(Bound("p3", "n1"), "default", cancellationToken: Ct);
        await PodPhaseAsync("p3", "Running");
        var full = await RejectedAsync(Bound("p4", "n1"));
        Assert.Equal(("OutOfpods", "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3"), (full.Status.Reason, full.Status.Message));
    }

    [Fact]
    public async Task An_untolerated_NoExecute_taint_rejects_the_pod_and_a_toleration_admits_it()
    {
        var rejected = await RejectedAsync(Bound("t1", "tainted"));
        Assert.Equal(("TaintToleration", "Pod was rejected: Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate"), (rejected.Status.Reason, rejected.Status.Message));

        var tolerant = Bound("t2", "tainted");
        tolerant.Spec.Tolerations = [new V1Toleration { Key = "maintenance", OperatorProperty = "Exists", Effect = "NoExecute" }];
        await Client.CoreV1.CreateNamespacedPodAsync(tolerant, "default", cancellationToken: Ct);
        await PodPhaseAsync("t2", "Running");
    }

    [Fact]
    public async Task Pods_admitted_earlier_keep_running_when_the_node_shrinks()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Bound("stays", "n1", cpu: "2"), "default", cancellationToken: Ct);
        await PodPhaseAsync("stays", "Running");
        await Client.CoreV1.PatchNodeStatusAsync(new V1Patch("""{"status":{"allocatable":{"cpu":"1"}}}""", V1Patch.PatchType.MergePatch), "n1", cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"touched":"yes"}}}""", V1Patch.PatchType.MergePatch), "stays", "default", cancellationToken: Ct);
        await Task.Delay(100, Ct);
        Assert.Equal("Running", (await Client.CoreV1.ReadNamespacedPodAsync("stays", "default", cancellationToken: Ct)).Status.Phase);
    }
}
