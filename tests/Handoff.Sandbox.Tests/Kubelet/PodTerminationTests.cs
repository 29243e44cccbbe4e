using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Sandbox.Tests.Kubelet;

/// <summary>
/// The simulated kubelet stopping deleted pods: the termination-time annotation and default (sandbox-only), cut at
/// the grace period, the exit codes it reports, and what happens without a kubelet.
/// </summary>
public sealed class PodTerminationTests : EmulatorTest
{
    private static V1Pod Held(string name, string node, string? termination = null, long grace = 30)
    {
        var pod = Pod(name, node, new() { [SimulatedKubelet.DurationAnnotation] = "1h" });
        if (termination is not null)
        {
            pod.Metadata.Annotations[SimulatedKubelet.TerminationAnnotation] = termination;
        }

        pod.Metadata.Finalizers = ["sandbox.test/hold"];
        pod.Spec.TerminationGracePeriodSeconds = grace;
        return pod;
    }

    [Fact]
    public async Task A_deleted_pod_stays_Terminating_for_its_termination_time_then_exits_143()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Held("slow-stop", "node-1", termination: "20s"), "default", cancellationToken: Ct);
        await PodPhaseAsync("slow-stop", "Running", client);

        await client.CoreV1.DeleteNamespacedPodAsync("slow-stop", "default", cancellationToken: Ct);
        clock.Advance(TimeSpan.FromSeconds(19));
        await Task.Delay(100, Ct);
        var terminating = await client.CoreV1.ReadNamespacedPodAsync("slow-stop", "default", cancellationToken: Ct);
        Assert.Equal("Running", terminating.Status.Phase);
        Assert.Equal(30, terminating.Metadata.DeletionGracePeriodSeconds);

        var stopped = await Wait.UntilAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return await client.CoreV1.ReadNamespacedPodAsync("slow-stop", "default", cancellationToken: Ct);
        }, p => p.Status.Phase == "Failed", what: "stopped after 20 s");
        var terminated = stopped.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal((143, "Error"), (terminated.ExitCode, terminated.Reason));
        Assert.Equal(0, stopped.Metadata.DeletionGracePeriodSeconds);
        Assert.Contains(stopped.Status.Conditions, c => c.Type == "Ready" && c.Status == "False");
    }

    [Fact]
    public async Task A_termination_time_beyond_the_grace_period_is_cut_there_and_the_container_is_killed()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Held("killed", "node-1", termination: "1h", grace: 1), "default", cancellationToken: Ct);
        await PodPhaseAsync("killed", "Running");
        await Client.CoreV1.DeleteNamespacedPodAsync("killed", "default", cancellationToken: Ct);
        var stopped = await PodPhaseAsync("killed", "Failed");
        Assert.Equal(137, stopped.Status.ContainerStatuses[0].State.Terminated.ExitCode);
    }

    [Fact]
    public async Task A_pod_deleted_before_it_started_reports_its_containers_unknown()
    {
        Server.Kubelet.SetNodeReady("node-2", false);
        await Client.CoreV1.CreateNamespacedPodAsync(Held("never-started", "node-2"), "default", cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedPodAsync("never-started", "default", cancellationToken: Ct);
        var stopped = await PodPhaseAsync("never-started", "Failed");
        var terminated = stopped.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal(("ContainerStatusUnknown", 137, "The container could not be located when the pod was terminated"), (terminated.Reason, terminated.ExitCode, terminated.Message));
    }

    [Fact]
    public async Task Without_a_kubelet_a_deleted_pod_stays_Terminating_until_it_is_force_deleted()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { SimulateKubelet = false }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("stuck", "node-1"), "default", cancellationToken: Ct);
        server.Kubelet.StartPod("default", "stuck");
        await client.CoreV1.DeleteNamespacedPodAsync("stuck", "default", cancellationToken: Ct);
        await Task.Delay(200, Ct);
        Assert.NotNull((await client.CoreV1.ReadNamespacedPodAsync("stuck", "default", cancellationToken: Ct)).Metadata.DeletionTimestamp);

        await client.CoreV1.DeleteNamespacedPodAsync("stuck", "default", gracePeriodSeconds: 0, cancellationToken: Ct);
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "metadata.name=stuck", cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task The_default_termination_time_applies_to_pods_without_the_annotation()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock, DefaultTerminationDuration = TimeSpan.FromSeconds(5) }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("default-stop", "node-1", new() { [SimulatedKubelet.DurationAnnotation] = "1h" }), "default", cancellationToken: Ct);
        await PodPhaseAsync("default-stop", "Running", client);
        await client.CoreV1.DeleteNamespacedPodAsync("default-stop", "default", cancellationToken: Ct);
        await Task.Delay(100, Ct);
        Assert.NotNull((await client.CoreV1.ReadNamespacedPodAsync("default-stop", "default", cancellationToken: Ct)).Metadata.DeletionTimestamp);
        clock.Advance(TimeSpan.FromSeconds(5));
        await PodGoneAsync("default-stop", client);
    }

    [Fact]
    public async Task Pods_of_a_node_that_no_longer_exists_are_collected_after_the_quarantine()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock }, Ct);
        using var client = server.CreateClient();
        var pod = Pod("lost", "no-such-node");
        pod.Metadata.Finalizers = ["sandbox.test/hold"];
        await client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Ct);
        clock.Advance(TimeSpan.FromSeconds(41));
        var collected = await Wait.UntilAsync(() => client.CoreV1.ReadNamespacedPodAsync("lost", "default", cancellationToken: Ct), p => p.Metadata.DeletionTimestamp is not null, what: "collected");
        Assert.Equal("Failed", collected.Status.Phase);
        Assert.Contains(collected.Status.Conditions, c => c.Type == "DisruptionTarget" && c.Reason == "DeletionByPodGC");
    }
}
