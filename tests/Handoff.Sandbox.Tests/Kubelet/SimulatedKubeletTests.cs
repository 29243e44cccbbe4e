using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Sandbox.Tests.Kubelet;

/// <summary>The simulated nodes and kubelet: node objects, pods run to their end with the annotated result, a fake clock, tests driving pods, nodes added, removed and NotReady.</summary>
public sealed class SimulatedKubeletTests : EmulatorTest
{
    [Fact]
    public async Task Default_nodes_are_three_ready_nodes_one_with_two_GPUs()
    {
        var nodes = (await Client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items;
        Assert.Equal(["gpu-1", "node-1", "node-2"], nodes.Select(n => n.Metadata.Name));
        Assert.All(nodes, n => Assert.Contains(n.Status.Conditions, c => c.Type == "Ready" && c.Status == "True" && c.Reason == "KubeletReady"));
        var gpu = nodes.Single(n => n.Metadata.Name == "gpu-1");
        Assert.Equal("2", gpu.Status.Allocatable["nvidia.com/gpu"].ToString());
        Assert.Equal("gpu-1", gpu.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("true", gpu.Metadata.Annotations[SimulatedKubelet.SimulatedNodeAnnotation]);
    }

    [Fact]
    public async Task Kubelet_runs_a_bound_pod_to_Succeeded_with_the_result_as_termination_message()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("ok", annotations: new() { [SimulatedKubelet.ResultAnnotation] = "84", [SimulatedKubelet.DurationAnnotation] = "50ms" }, containers: 2), "default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding { Metadata = new V1ObjectMeta { Name = "ok" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } }, "ok", "default", cancellationToken: Ct);
        var pod = await PodPhaseAsync("ok", "Succeeded");
        var first = pod.Status.ContainerStatuses[0];
        Assert.Equal(0, first.State.Terminated.ExitCode);
        Assert.Equal("Completed", first.State.Terminated.Reason);
        Assert.Equal("84", first.State.Terminated.Message);
        Assert.NotNull(first.State.Terminated.StartedAt);
        Assert.NotNull(first.State.Terminated.FinishedAt);
        Assert.Null(pod.Status.ContainerStatuses[1].State.Terminated.Message);
        Assert.Equal("10.0.0.11", pod.Status.HostIP);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "PodCompleted");
    }

    [Fact]
    public async Task Kubelet_fails_a_pod_with_a_non_zero_exit_code()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("bad", "gpu-1", new() { [SimulatedKubelet.ExitCodeAnnotation] = "3", [SimulatedKubelet.ResultAnnotation] = "boom", [SimulatedKubelet.DurationAnnotation] = "0s" }), "default", cancellationToken: Ct);
        var pod = await PodPhaseAsync("bad", "Failed");
        Assert.Equal(3, pod.Status.ContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Equal("Error", pod.Status.ContainerStatuses[0].State.Terminated.Reason);
        Assert.Equal("boom", pod.Status.ContainerStatuses[0].State.Terminated.Message);
    }

    [Fact]
    public async Task Kubelet_follows_a_fake_clock_and_reports_running_until_the_duration_passes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("slow", "node-2", new() { [SimulatedKubelet.DurationAnnotation] = "30s" }), "default", cancellationToken: Ct);
        var running = await PodPhaseAsync("slow", "Running", client);
        Assert.True(running.Status.ContainerStatuses[0].Ready);
        Assert.Equal(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), running.Status.StartTime);

        var finished = await Wait.UntilAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            return await client.CoreV1.ReadNamespacedPodAsync("slow", "default", cancellationToken: Ct);
        }, p => p.Status.Phase == "Succeeded", what: "pod finished on the fake clock");
        var terminated = finished.Status.ContainerStatuses[0].State.Terminated;
        Assert.True(terminated.FinishedAt - terminated.StartedAt >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Each_node_posts_its_status_once_a_period_at_its_own_time_and_nothing_else_changes()
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var period = TimeSpan.FromMinutes(5);
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock, NodeStatusReportPeriod = period }, Ct);
        using var client = server.CreateClient();
        var before = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items;

        // Heartbeat times of every node once each has posted a number of times.
        async Task<Dictionary<string, DateTime>> HeartbeatsAsync(int reports) =>
            (await Wait.UntilAsync(
                async () =>
                {
                    clock.Advance(TimeSpan.FromSeconds(10));
                    return (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items;
                },
                nodes => nodes.All(n => Ready(n).LastHeartbeatTime >= start.UtcDateTime + (reports - 1) * period + TimeSpan.FromSeconds(1)),
                what: $"every node's status posted {reports} time(s)")).ToDictionary(n => n.Metadata.Name, n => Ready(n).LastHeartbeatTime!.Value);

        var first = await HeartbeatsAsync(1);
        Assert.All(first.Values, t => Assert.InRange(t - start.UtcDateTime, TimeSpan.FromSeconds(1), period + TimeSpan.FromSeconds(30)));
        Assert.Equal(3, first.Values.Distinct().Count()); // spread over the period, not all at once

        var second = await HeartbeatsAsync(2);
        Assert.All(first, n => Assert.InRange(second[n.Key] - n.Value, period - TimeSpan.FromSeconds(20), period + TimeSpan.FromSeconds(20)));

        // Only the heartbeats moved: conditions, their transitions, allocatable and taints are as they were.
        var after = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items;
        Assert.All(before.Zip(after), pair =>
        {
            Assert.Equal(
                pair.First.Status.Conditions.Select(c => (c.Type, c.Status, c.Reason, c.LastTransitionTime)),
                pair.Second.Status.Conditions.Select(c => (c.Type, c.Status, c.Reason, c.LastTransitionTime)));
            Assert.Equal(pair.First.Status.Allocatable.Keys, pair.Second.Status.Allocatable.Keys);
            Assert.Equal(pair.First.Spec.Taints?.Count ?? 0, pair.Second.Spec.Taints?.Count ?? 0);
            Assert.NotEqual(pair.First.Metadata.ResourceVersion, pair.Second.Metadata.ResourceVersion);
        });

        static V1NodeCondition Ready(V1Node node) => node.Status.Conditions.Single(c => c.Type == "Ready");
    }

    [Fact]
    public async Task Without_a_status_period_a_node_changes_only_when_something_changes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock }, Ct);
        using var client = server.CreateClient();
        var before = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items.Select(n => n.Metadata.ResourceVersion).ToList();
        for (var i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        // A pod bound after the ten minutes: the kubelet has run, and the Nodes are as they were.
        await client.CoreV1.CreateNamespacedPodAsync(Pod("late", "node-1"), "default", cancellationToken: Ct);
        await PodPhaseAsync("late", "Running", client);
        Assert.Equal(before, (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items.Select(n => n.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Without_the_kubelet_pods_stay_pending_until_the_test_drives_them()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { SimulateKubelet = false }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("manual", "node-1"), "default", cancellationToken: Ct);
        Assert.False(server.Kubelet.Enabled);
        Assert.Equal("Pending", (await client.CoreV1.ReadNamespacedPodAsync("manual", "default", cancellationToken: Ct)).Status.Phase);
        server.Kubelet.StartPod("default", "manual");
        Assert.Equal("Running", (await client.CoreV1.ReadNamespacedPodAsync("manual", "default", cancellationToken: Ct)).Status.Phase);
        server.Kubelet.FinishPod("default", "manual", exitCode: 1, message: new string('x', 5000));
        var pod = await client.CoreV1.ReadNamespacedPodAsync("manual", "default", cancellationToken: Ct);
        Assert.Equal("Failed", pod.Status.Phase);
        Assert.Equal(4096, pod.Status.ContainerStatuses[0].State.Terminated.Message.Length);
    }

    [Fact]
    public async Task Nodes_can_be_added_removed_and_flipped_NotReady()
    {
        Server.Kubelet.AddNode(new SandboxNode("extra") { Allocatable = new Dictionary<string, string> { ["example.com/fpga"] = "1" }, Labels = new Dictionary<string, string> { ["zone"] = "c" } });
        var extra = await Client.CoreV1.ReadNodeAsync("extra", cancellationToken: Ct);
        Assert.Equal("1", extra.Status.Allocatable["example.com/fpga"].ToString());
        Assert.Equal("8", extra.Status.Allocatable["cpu"].ToString());

        Server.Kubelet.SetNodeReady("extra", false);
        var notReady = await Client.CoreV1.ReadNodeAsync("extra", cancellationToken: Ct);
        Assert.Contains(notReady.Status.Conditions, c => c.Type == "Ready" && c.Status == "False");

        // The node lifecycle controller taints it (a moment later, as in a cluster).
        await Wait.UntilAsync(() => Client.CoreV1.ReadNodeAsync("extra", cancellationToken: Ct),
            n => n.Spec.Taints?.Any(t => t.Key == "node.kubernetes.io/not-ready" && t.Effect == "NoSchedule") == true, what: "not-ready taint");

        // A pod on a NotReady node does not start; it does once the node is Ready again.
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("waits", "extra"), "default", cancellationToken: Ct);
        Assert.Equal("Pending", (await Client.CoreV1.ReadNamespacedPodAsync("waits", "default", cancellationToken: Ct)).Status.Phase);
        Server.Kubelet.SetNodeReady("extra", true);
        await PodPhaseAsync("waits", "Succeeded");

        await Client.CoreV1.CreateNamespacedPodAsync(Pod("orphan", "extra", new() { [SimulatedKubelet.DurationAnnotation] = "1h" }), "default", cancellationToken: Ct);
        await PodPhaseAsync("orphan", "Running");
        Server.Kubelet.RemoveNode("extra");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNodeAsync("extra", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        var pods = await Client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct);
        Assert.DoesNotContain(pods.Items, p => p.Metadata.Name is "orphan" or "waits");
    }
}
