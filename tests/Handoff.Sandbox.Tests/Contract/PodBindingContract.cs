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
        var node = await FirstNodeAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), ns, cancellationToken: Ct);
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "p1" }, Target = new V1ObjectReference { Kind = "Node", ApiVersion = "v1", Name = node } };
        await Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p1", ns, cancellationToken: Ct);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("p1", ns, cancellationToken: Ct);
        Assert.Equal(node, pod.Spec.NodeName);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");

        var again = await FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p1", ns, cancellationToken: Ct));
        Assert.Equal($"Operation cannot be fulfilled on pods/binding \"p1\": pod p1 is already assigned to node \"{node}\"", again.Message);
    }

    [Fact]
    public async Task Binding_copies_its_annotations_onto_the_pod_in_the_same_write()
    {
        var ns = await NamespaceAsync();
        var node = await FirstNodeAsync();
        var created = await Client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), ns, cancellationToken: Ct);
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = "p1", Annotations = new Dictionary<string, string> { ["sandbox.test/placed-by"] = "contract" } },
            Target = new V1ObjectReference { Kind = "Node", Name = node },
        };
        await Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p1", ns, cancellationToken: Ct);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("p1", ns, cancellationToken: Ct);
        Assert.Equal("contract", pod.Metadata.Annotations["sandbox.test/placed-by"]);
        Assert.Equal(node, pod.Spec.NodeName);
        Assert.True(long.Parse(pod.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_pod_being_deleted_cannot_be_bound_and_the_binding_must_name_the_pod()
    {
        var ns = await NamespaceAsync();
        var node = await FirstNodeAsync();
        var pod = Pod("going");
        pod.Metadata.Finalizers = ["sandbox.test/hold"];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedPodAsync("going", ns, cancellationToken: Ct);
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "going" }, Target = new V1ObjectReference { Kind = "Node", Name = node } };
        var deleting = await FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "going", ns, cancellationToken: Ct));
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"going\": pod going is being deleted, cannot be assigned to a host", deleting.Message);
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "going", ns, cancellationToken: Ct);

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), ns, cancellationToken: Ct);
        var misnamed = new V1Binding { Metadata = new V1ObjectMeta { Name = "other" }, Target = new V1ObjectReference { Kind = "Node", Name = node } };
        var bad = await FailsWith(HttpStatusCode.BadRequest, () => Client.CoreV1.CreateNamespacedPodBindingAsync(misnamed, "p2", ns, cancellationToken: Ct));
        Assert.Equal("name in URL does not match name in Binding object", bad.Message);
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorPodBindingContractTests(EmulatorFixture fixture) : PodBindingContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sPodBindingContractTests(K3sFixture fixture) : PodBindingContract<K3sFixture>(fixture);
