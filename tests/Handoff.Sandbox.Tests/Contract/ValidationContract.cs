using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// What the API server refuses with 422 Invalid beyond schemas: container resources (extended resources need a
/// limit equal to the request; requests may not exceed limits), label syntax, the total size of annotations.
/// </summary>
public abstract class ValidationContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    private static V1Pod WithResources(string name, Dictionary<string, string>? requests, Dictionary<string, string>? limits)
    {
        var pod = Pod(name);
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Requests = requests?.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value)),
            Limits = limits?.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value)),
        };
        return pod;
    }

    private async Task<V1Status> InvalidAsync(string ns, V1Pod pod) =>
        await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct));

    [Fact]
    public async Task Extended_resources_need_a_limit_equal_to_the_request_and_a_limit_alone_is_also_the_request()
    {
        var ns = await NamespaceAsync();
        var noLimit = await InvalidAsync(ns, WithResources("no-limit", new() { ["nvidia.com/gpu"] = "1" }, null));
        Assert.Equal("spec.containers[0].resources.limits", Assert.Single(noLimit.Details.Causes).Field);
        Assert.Contains("spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources", noLimit.Message, StringComparison.Ordinal);

        var unequal = await InvalidAsync(ns, WithResources("unequal", new() { ["nvidia.com/gpu"] = "2" }, new() { ["nvidia.com/gpu"] = "1" }));
        Assert.Contains("spec.containers[0].resources.requests: Invalid value: \"2\": must be equal to nvidia.com/gpu limit", unequal.Message, StringComparison.Ordinal);
        var cpu = await InvalidAsync(ns, WithResources("cpu", new() { ["cpu"] = "2" }, new() { ["cpu"] = "1" }));
        Assert.Contains("spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit", cpu.Message, StringComparison.Ordinal);
        if (Fixture.IsEmulator)
        {
            // The wording of Kubernetes 1.35, which the emulator follows (older servers leave out " of <limit>").
            Assert.Equal("Pod \"unequal\" is invalid: spec.containers[0].resources.requests: Invalid value: \"2\": must be equal to nvidia.com/gpu limit of 1", unequal.Message);
            Assert.Equal("Pod \"cpu\" is invalid: spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1", cpu.Message);
        }

        var notKubernetes = await InvalidAsync(ns, WithResources("handoff-only", new() { ["gpu"] = "1" }, null));
        Assert.Contains("spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource for containers", notKubernetes.Message, StringComparison.Ordinal);

        var limitOnly = await Client.CoreV1.CreateNamespacedPodAsync(WithResources("limit-only", null, new() { ["nvidia.com/gpu"] = "1", ["cpu"] = "1" }), ns, cancellationToken: Ct);
        Assert.Equal(("1", "1"), (limitOnly.Spec.Containers[0].Resources.Requests["nvidia.com/gpu"].ToString(), limitOnly.Spec.Containers[0].Resources.Requests["cpu"].ToString()));
    }

    [Fact]
    public async Task Label_keys_and_values_follow_the_qualified_name_rules()
    {
        var ns = await NamespaceAsync();
        var longValue = new string('v', 64);
        var value = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c1", Labels = new Dictionary<string, string> { ["tier"] = longValue } } }, ns, cancellationToken: Ct));
        Assert.Contains($"metadata.labels: Invalid value: \"{longValue}\": must be no more than 63 characters", value.Message, StringComparison.Ordinal);

        var key = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c2", Labels = new Dictionary<string, string> { ["bad key!"] = "x" } } }, ns, cancellationToken: Ct));
        Assert.Contains("metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", key.Message, StringComparison.Ordinal);

        var badValue = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c3", Labels = new Dictionary<string, string> { ["tier"] = "-web" } } }, ns, cancellationToken: Ct));
        Assert.Contains("metadata.labels: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric characters", badValue.Message, StringComparison.Ordinal);

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "ok", Labels = new Dictionary<string, string> { ["example.com/Tier_1.a"] = "My_value-1", ["empty"] = "" } },
        }, ns, cancellationToken: Ct);
    }

    [Fact]
    public async Task All_annotations_together_may_not_exceed_256_KiB()
    {
        var ns = await NamespaceAsync();
        var big = new Dictionary<string, string> { ["a"] = new string('x', 200 * 1024), ["b"] = new string('y', 57 * 1024) };
        var tooLong = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "big", Annotations = big } }, ns, cancellationToken: Ct));
        Assert.Contains("metadata.annotations: Too long: must have at most 262144 bytes", tooLong.Message, StringComparison.Ordinal);

        var fits = new Dictionary<string, string> { ["a"] = new string('x', 262144 - 2) };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "fits", Annotations = fits } }, ns, cancellationToken: Ct);
        var grown = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"annotations":{"b":"yy"}}}""", V1Patch.PatchType.MergePatch), "fits", ns, cancellationToken: Ct));
        Assert.Contains("metadata.annotations: Too long", grown.Message, StringComparison.Ordinal);
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorValidationContractTests(EmulatorFixture fixture) : ValidationContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sValidationContractTests(K3sFixture fixture) : ValidationContract<K3sFixture>(fixture);
