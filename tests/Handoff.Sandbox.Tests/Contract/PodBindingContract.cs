using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>pods/binding, as schedulers use it.</summary>
public abstract class PodBindingContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    [Fact]
    public async Task Binding_sets_nodeName_and_PodScheduled_and_a_second_binding_is_409()
    {
        var ns = await NamespaceAsync();
        var node = (await Client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items[0].Metadata.Name;
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), ns, cancellationToken: Ct);
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "p1" }, Target = new V1ObjectReference { Kind = "Node", ApiVersion = "v1", Name = node } };
        await Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p1", ns, cancellationToken: Ct);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("p1", ns, cancellationToken: Ct);
        Assert.Equal(node, pod.Spec.NodeName);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");

        var again = await FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p1", ns, cancellationToken: Ct));
        Assert.Contains($"pod p1 is already assigned to node \"{node}\"", again.Message, StringComparison.Ordinal);
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorPodBindingContractTests(EmulatorFixture fixture) : PodBindingContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sPodBindingContractTests(K3sFixture fixture) : PodBindingContract<K3sFixture>(fixture);
