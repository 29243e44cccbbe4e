using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// Pods are deleted gracefully: a bound, running pod is marked with <c>deletionTimestamp</c> and its grace period and
/// stays until its kubelet has stopped it; unbound and finished pods go at once; evictions, the garbage collector's
/// cascades and namespace deletion all take the same path.
/// </summary>
public abstract class PodDeletionContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    private const string Hold = "sandbox.test/hold";

    [Fact]
    public async Task A_bound_running_pod_is_marked_with_its_grace_period_and_removed_once_its_kubelet_stopped_it()
    {
        var ns = await NamespaceAsync();
        var node = await FirstNodeAsync();
        await StartedPodAsync(ns, RunningPod("p1", node, gracePeriodSeconds: 20));
        var before = DateTime.UtcNow;

        var deleting = await Client.CoreV1.DeleteNamespacedPodAsync("p1", ns, cancellationToken: Ct);
        Assert.Equal(20, deleting.Metadata.DeletionGracePeriodSeconds);
        Assert.NotNull(deleting.Metadata.DeletionTimestamp);

        // deletionTimestamp is when the grace period ends.
        var deadline = deleting.Metadata.DeletionTimestamp!.Value.ToUniversalTime();
        Assert.InRange(deadline, before.AddSeconds(20 - 3), before.AddSeconds(20 + 3));
        await GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync("p1", ns, cancellationToken: Ct), "p1");

        // The request's gracePeriodSeconds overrides the pod's.
        await StartedPodAsync(ns, RunningPod("p2", node, gracePeriodSeconds: 20));
        var shorter = await Client.CoreV1.DeleteNamespacedPodAsync("p2", ns, gracePeriodSeconds: 7, cancellationToken: Ct);
        Assert.Equal(7, shorter.Metadata.DeletionGracePeriodSeconds);
    }

    [Fact]
    public async Task A_deleted_pod_is_stopped_and_made_terminal_before_it_goes()
    {
        var ns = await NamespaceAsync();
        await StartedPodAsync(ns, RunningPod("held", await FirstNodeAsync(), finalizers: [Hold]));
        await Client.CoreV1.DeleteNamespacedPodAsync("held", ns, cancellationToken: Ct);

        // The finalizer keeps the object after the kubelet is done: stopped, terminal, still being deleted.
        var stopped = await PodAsync(ns, "held", p => p.Status.Phase is "Succeeded" or "Failed", "stopped");
        Assert.NotNull(stopped.Metadata.DeletionTimestamp);
        Assert.NotNull(Assert.Single(stopped.Status.ContainerStatuses).State.Terminated);
        Assert.Equal(0, (await PodAsync(ns, "held", p => p.Metadata.DeletionGracePeriodSeconds == 0, "grace period 0")).Metadata.DeletionGracePeriodSeconds);

        await ReleasePodAsync(ns, "held");
        await GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync("held", ns, cancellationToken: Ct), "held");
    }

    [Fact]
    public async Task Unbound_and_finished_pods_are_removed_at_once()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("unbound"), ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedPodAsync("unbound", ns, cancellationToken: Ct);
        await FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedPodAsync("unbound", ns, cancellationToken: Ct));

        var done = Pod("done");
        done.Spec.SchedulerName = null;
        done.Spec.NodeName = await FirstNodeAsync();
        done.Metadata.Annotations = new Dictionary<string, string> { ["handoff.dev/sandbox-duration"] = "0s" };
        await Client.CoreV1.CreateNamespacedPodAsync(done, ns, cancellationToken: Ct);
        await PodAsync(ns, "done", p => p.Status.Phase == "Succeeded", "succeeded", TimeSpan.FromMinutes(2));
        await Client.CoreV1.DeleteNamespacedPodAsync("done", ns, cancellationToken: Ct);
        await FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedPodAsync("done", ns, cancellationToken: Ct));
    }

    [Fact]
    public async Task An_eviction_deletes_the_pod_gracefully_with_a_DisruptionTarget_condition()
    {
        var ns = await NamespaceAsync();
        await StartedPodAsync(ns, RunningPod("evicted", await FirstNodeAsync(), finalizers: [Hold]));
        var eviction = new V1Eviction { Metadata = new V1ObjectMeta { Name = "evicted", NamespaceProperty = ns } };
        using (var response = await Client.CoreV1.CreateNamespacedPodEvictionWithHttpMessagesAsync(eviction, "evicted", ns, cancellationToken: Ct))
        {
            Assert.Equal(HttpStatusCode.Created, response.Response.StatusCode);
        }

        var evicted = await PodAsync(ns, "evicted", p => p.Status.Phase is "Succeeded" or "Failed", "stopped");
        Assert.NotNull(evicted.Metadata.DeletionTimestamp);
        var condition = Assert.Single(evicted.Status.Conditions, c => c.Type == "DisruptionTarget");
        Assert.Equal(("True", "EvictionByEvictionAPI", "Eviction API: evicting"), (condition.Status, condition.Reason, condition.Message));
        await ReleasePodAsync(ns, "evicted");

        var wrongName = new V1Eviction { Metadata = new V1ObjectMeta { Name = "other", NamespaceProperty = ns } };
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("named"), ns, cancellationToken: Ct);
        var bad = await FailsWith(HttpStatusCode.BadRequest, () => Client.CoreV1.CreateNamespacedPodEvictionAsync(wrongName, "named", ns, cancellationToken: Ct));
        Assert.Equal("name in URL does not match name in Eviction object", bad.Message);
    }

    [Fact]
    public async Task Cascading_deletion_stops_dependent_pods_through_their_kubelet()
    {
        var ns = await NamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns, cancellationToken: Ct);
        var pod = RunningPod("dependent", await FirstNodeAsync(), finalizers: [Hold]);
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }];
        await StartedPodAsync(ns, pod);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Background", cancellationToken: Ct);
        var stopped = await PodAsync(ns, "dependent", p => p.Metadata.DeletionTimestamp is not null && p.Status.Phase is "Succeeded" or "Failed", "stopped by the cascade");
        Assert.NotNull(stopped.Status.ContainerStatuses[0].State.Terminated);
        await ReleasePodAsync(ns, "dependent");
        await GoneAsync(() => Client.CoreV1.ReadNamespacedPodAsync("dependent", ns, cancellationToken: Ct), "dependent");
    }

    [Fact]
    public async Task Orphan_propagation_keeps_the_dependents_without_their_owner_reference()
    {
        var ns = await NamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns, cancellationToken: Ct);
        var reference = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, Controller = true };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kept", OwnerReferences = [reference] } }, ns, cancellationToken: Ct);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Orphan", cancellationToken: Ct);
        await GoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: Ct), "owner");
        var kept = await Client.CoreV1.ReadNamespacedConfigMapAsync("kept", ns, cancellationToken: Ct);
        Assert.Null(kept.Metadata.DeletionTimestamp);
        Assert.True(kept.Metadata.OwnerReferences is null or { Count: 0 });
    }

    [Fact]
    public async Task Foreground_propagation_keeps_the_owner_until_its_blocking_dependents_are_gone()
    {
        var ns = await NamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns, cancellationToken: Ct);
        var reference = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, BlockOwnerDeletion = true };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "blocker", OwnerReferences = [reference], Finalizers = [Hold] } }, ns, cancellationToken: Ct);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Foreground", cancellationToken: Ct);
        Assert.Contains("foregroundDeletion", (await Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: Ct)).Metadata.Finalizers);
        await Wait.UntilAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("blocker", ns, cancellationToken: Ct), b => b.Metadata.DeletionTimestamp is not null, TimeSpan.FromSeconds(60), "blocker deleted");
        var waiting = await Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: Ct);
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);

        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "blocker", ns, cancellationToken: Ct);
        await GoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: Ct), "owner");
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorPodDeletionContractTests(EmulatorFixture fixture) : PodDeletionContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sPodDeletionContractTests(K3sFixture fixture) : PodDeletionContract<K3sFixture>(fixture);
