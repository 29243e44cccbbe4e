using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Scheduling;

/// <summary>
/// The emulator's default scheduler in detail: the exact 1.35 message over several nodes, the effective request,
/// priority order, spreading, retries when capacity frees, scheduling gates.
/// </summary>
public sealed class DefaultSchedulerTests : EmulatorTest
{
    private static readonly SandboxTaint Gpu = new("gpu", "true", "NoSchedule");

    protected override SandboxOptions Options => new()
    {
        DefaultPodDuration = TimeSpan.FromMilliseconds(100),
        Nodes =
        [
            new SandboxNode("small") { Allocatable = new Dictionary<string, string> { ["cpu"] = "2", ["memory"] = "4Gi" } },
            new SandboxNode("tainted-1") { Taints = [Gpu], Allocatable = new Dictionary<string, string> { ["nvidia.com/gpu"] = "2" } },
            new SandboxNode("tainted-2") { Taints = [Gpu] },
        ],
    };

    private static V1Pod Requesting(string name, string cpu, string? memory = null, string? priorityClass = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { [SimulatedKubelet.DurationAnnotation] = "1h" } },
        Spec = new V1PodSpec
        {
            RestartPolicy = "Never",
            PriorityClassName = priorityClass,
            Containers =
            [
                new V1Container
                {
                    Name = "main",
                    Image = "busybox",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = memory is null
                            ? new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) }
                            : new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) },
                    },
                },
            ],
        },
    };

    private Task CreatePriorityClassAsync(string name, int value, string? preemptionPolicy = null) =>
        Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = name }, Value = value, PreemptionPolicy = preemptionPolicy }, cancellationToken: Ct);

    private async Task<V1Pod> UnschedulableAsync(string name) =>
        await Wait.UntilAsync(() => Client.CoreV1.ReadNamespacedPodAsync(name, "default", cancellationToken: Ct),
            p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "Unschedulable") == true, what: name + " unschedulable");

    private async Task<string> NodeOfAsync(string name) =>
        (await Wait.UntilAsync(() => Client.CoreV1.ReadNamespacedPodAsync(name, "default", cancellationToken: Ct), p => p.Spec.NodeName is not null, what: name + " bound")).Spec.NodeName;

    [Fact]
    public async Task The_message_counts_each_nodes_reason_as_kube_scheduler_1_35_words_it()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Requesting("big", "3"), "default", cancellationToken: Ct);
        var pod = await UnschedulableAsync("big");
        Assert.Equal(
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint(s). no new claims to deallocate, " +
            "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
            pod.Status.Conditions.Single(c => c.Type == "PodScheduled").Message);

        // A pod cannot say Never itself (the Priority admission plugin refuses it): its class does.
        await CreatePriorityClassAsync("never-preempts", 0, "Never");
        await Client.CoreV1.CreateNamespacedPodAsync(Requesting("never", "3", priorityClass: "never-preempts"), "default", cancellationToken: Ct);
        Assert.EndsWith("no new claims to deallocate, preemption: not eligible due to preemptionPolicy=Never.",
            (await UnschedulableAsync("never")).Status.Conditions.Single(c => c.Type == "PodScheduled").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_add_up_per_node_and_a_waiting_pod_is_placed_when_one_ends()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Requesting("first", "1500m"), "default", cancellationToken: Ct);
        Assert.Equal("small", await NodeOfAsync("first"));
        await Client.CoreV1.CreateNamespacedPodAsync(Requesting("second", "1"), "default", cancellationToken: Ct);
        Assert.StartsWith("0/3 nodes are available: 1 Insufficient cpu,", (await UnschedulableAsync("second")).Status.Conditions.Single(c => c.Type == "PodScheduled").Message, StringComparison.Ordinal);

        Server.Kubelet.FinishPod("default", "first");
        Assert.Equal("small", await NodeOfAsync("second"));
        // The Scheduled Event is recorded after the binding: wait for it.
        var events = await Wait.UntilAsync(
            () => Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=second", cancellationToken: Ct),
            e => e.Items.Any(i => i.Reason == "Scheduled"), what: "the Scheduled Event of second");
        Assert.Equal(["FailedScheduling", "Scheduled"], events.Items.OrderBy(e => e.LastTimestamp).Select(e => e.Reason));
        Assert.All(events.Items, e => Assert.Equal("default-scheduler", e.Source.Component));
    }

    [Fact]
    public async Task The_effective_request_is_the_larger_of_the_containers_and_each_init_container_plus_overhead()
    {
        var pod = Requesting("init-heavy", "500m");
        pod.Spec.InitContainers = [new V1Container { Name = "init", Image = "busybox", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1800m") } } }];
        pod.Spec.Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("300m") };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Ct);
        Assert.Contains("1 Insufficient cpu", (await UnschedulableAsync("init-heavy")).Status.Conditions.Single(c => c.Type == "PodScheduled").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Higher_priority_pods_are_placed_first_and_gated_pods_wait_for_their_gates()
    {
        Server.Kubelet.SetNodeReady("small", false);

        // kube-scheduler filters on the not-ready taint, which the node lifecycle controller adds a moment after the
        // condition (as in a cluster): pods created before it could still land there.
        await Wait.UntilAsync(() => Client.CoreV1.ReadNodeAsync("small", cancellationToken: Ct),
            n => n.Spec.Taints?.Any(t => t.Key == "node.kubernetes.io/not-ready" && t.Effect == "NoSchedule") == true, what: "not-ready taint");
        await CreatePriorityClassAsync("low", 1);
        await CreatePriorityClassAsync("high", 100);
        await Client.CoreV1.CreateNamespacedPodAsync(Requesting("low", "1500m", priorityClass: "low"), "default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodAsync(Requesting("high", "1500m", priorityClass: "high"), "default", cancellationToken: Ct);
        await UnschedulableAsync("low");
        await UnschedulableAsync("high");
        Server.Kubelet.SetNodeReady("small", true);
        Assert.Equal("small", await NodeOfAsync("high"));
        Assert.Null((await Client.CoreV1.ReadNamespacedPodAsync("low", "default", cancellationToken: Ct)).Spec.NodeName);

        var gated = Requesting("gated", "100m");
        gated.Spec.SchedulingGates = [new V1PodSchedulingGate { Name = "sandbox.test/wait" }];
        await Client.CoreV1.CreateNamespacedPodAsync(gated, "default", cancellationToken: Ct);
        var waiting = await Wait.UntilAsync(() => Client.CoreV1.ReadNamespacedPodAsync("gated", "default", cancellationToken: Ct),
            p => p.Status.Conditions?.Any(c => c.Reason == "SchedulingGated") == true, what: "gated");
        Assert.Equal("Scheduling is blocked due to non-empty scheduling gates", waiting.Status.Conditions.Single(c => c.Type == "PodScheduled").Message);
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"spec":{"schedulingGates":null}}""", V1Patch.PatchType.MergePatch), "gated", "default", cancellationToken: Ct);
        Assert.NotNull(await NodeOfAsync("gated"));
    }
}
