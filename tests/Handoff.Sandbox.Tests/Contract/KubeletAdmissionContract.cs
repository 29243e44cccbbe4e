using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// The kubelet admits a pod bound to its node only if it fits in what is left there and matches the node; else the
/// pod fails at once with the kubelet's reason (<c>OutOfcpu</c>, <c>NodeAffinity</c>, ...) and message.
/// </summary>
public abstract class KubeletAdmissionContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    [Fact]
    public async Task A_pod_bound_to_a_node_without_room_for_it_fails_with_OutOfcpu()
    {
        var ns = await NamespaceAsync();
        var pod = RunningPod("too-big", await FirstNodeAsync());
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10000") } };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct);
        var rejected = await PodAsync(ns, "too-big", p => p.Status.Phase == "Failed", "rejected");
        Assert.Equal("OutOfcpu", rejected.Status.Reason);
        Assert.StartsWith("Pod was rejected: Node didn't have enough resource: cpu, requested: 10000000, used: ", rejected.Status.Message, StringComparison.Ordinal);
        Assert.Contains(", capacity: ", rejected.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_bound_to_a_node_its_selector_does_not_match_fails_with_NodeAffinity()
    {
        var ns = await NamespaceAsync();
        var pod = RunningPod("elsewhere", await FirstNodeAsync());
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["sandbox.test/no-such-label"] = "x" };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct);
        var rejected = await PodAsync(ns, "elsewhere", p => p.Status.Phase == "Failed", "rejected");
        Assert.Equal(("NodeAffinity", "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector"), (rejected.Status.Reason, rejected.Status.Message));
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorKubeletAdmissionContractTests(EmulatorFixture fixture) : KubeletAdmissionContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sKubeletAdmissionContractTests(K3sFixture fixture) : KubeletAdmissionContract<K3sFixture>(fixture);
