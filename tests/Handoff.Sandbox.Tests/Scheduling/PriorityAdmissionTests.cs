using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Scheduling;

/// <summary>
/// The global default PriorityClass, on an emulator of its own (the contract suite's cluster is shared, and a default
/// class would give every other test's pods its priority): a pod naming no class takes it, name and all; only one
/// class may be the default.
/// </summary>
public sealed class PriorityAdmissionTests : EmulatorTest
{
    [Fact]
    public async Task A_pod_naming_no_class_takes_the_global_default_and_a_second_default_is_forbidden()
    {
        await Client.SchedulingV1.CreatePriorityClassAsync(
            new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "everyone" }, Value = 5, GlobalDefault = true, PreemptionPolicy = "Never" }, cancellationToken: Ct);

        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod("plain"), "default", cancellationToken: Ct);
        Assert.Equal(("everyone", 5, "Never"), (pod.Spec.PriorityClassName, pod.Spec.Priority, pod.Spec.PreemptionPolicy));

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.SchedulingV1.CreatePriorityClassAsync(
            new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "second" }, Value = 1, GlobalDefault = true }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        Assert.Equal(
            "priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass everyone is already marked as default. Only one default can exist",
            KubernetesJson.Deserialize<V1Status>(e.Response.Content).Message);

        // Naming a class still wins over the default.
        var named = Pod("named");
        named.Spec.PriorityClassName = "system-cluster-critical";
        Assert.Equal(2_000_000_000, (await Client.CoreV1.CreateNamespacedPodAsync(named, "default", cancellationToken: Ct)).Spec.Priority);
    }
}
