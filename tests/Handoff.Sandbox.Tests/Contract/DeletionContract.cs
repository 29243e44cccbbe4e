using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>Deletion: finalizers, the garbage collector, namespaces.</summary>
public abstract class DeletionContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    [Fact]
    public async Task Delete_waits_for_finalizers_and_removing_the_last_one_deletes()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "f", Finalizers = ["sandbox.test/hold"] } }, ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("f", ns, cancellationToken: Ct);
        var held = await Client.CoreV1.ReadNamespacedConfigMapAsync("f", ns, cancellationToken: Ct);
        Assert.NotNull(held.Metadata.DeletionTimestamp);

        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "f", ns, cancellationToken: Ct);
        await FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedConfigMapAsync("f", ns, cancellationToken: Ct));
    }

    [Fact]
    public async Task Deleting_an_owner_garbage_collects_its_dependents()
    {
        var ns = await NamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns, cancellationToken: Ct);
        var reference = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, Controller = true };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "dependent", OwnerReferences = [reference] } }, ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "bystander" } }, ns, cancellationToken: Ct);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Background", cancellationToken: Ct);
        await Wait.UntilAsync(
            async () => (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct)).Items.Select(c => c.Metadata.Name).ToList(),
            names => !names.Contains("dependent"), TimeSpan.FromSeconds(60), "dependent collected");
        await Client.CoreV1.ReadNamespacedConfigMapAsync("bystander", ns, cancellationToken: Ct);
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_its_content()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: Ct);
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct);
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
        }, gone => gone, TimeSpan.FromSeconds(90), "namespace deleted");
        var left = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct);
        Assert.DoesNotContain(left.Items, c => c.Metadata.Name == "c");
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorDeletionContractTests(EmulatorFixture fixture) : DeletionContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sDeletionContractTests(K3sFixture fixture) : DeletionContract<K3sFixture>(fixture);
