using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// The default scheduler: it binds the pods that name it (or no scheduler) to a node that fits; a pod that fits
/// nowhere is <c>PodScheduled=False/Unschedulable</c> with kube-scheduler's message and a <c>FailedScheduling</c>
/// event, and is placed once the cluster changes; pods naming another scheduler are left alone.
/// </summary>
/// <remarks>The exact wording differs between Kubernetes versions (k3s runs an older one); the emulator's 1.35 text is pinned in DefaultSchedulerTests.</remarks>
public abstract class SchedulingContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    private static V1Pod Scheduled(string name, string? cpu = null, string? scheduler = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { ["handoff.dev/sandbox-duration"] = "1h" } },
        Spec = new V1PodSpec
        {
            SchedulerName = scheduler,
            RestartPolicy = "Never",
            TerminationGracePeriodSeconds = 1,
            Containers =
            [
                new V1Container
                {
                    Name = "main",
                    Image = "busybox:1.36",
                    Command = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
                    Resources = cpu is null ? null : new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
                },
            ],
        },
    };

    private async Task<V1PodCondition> PodScheduledAsync(string ns, string name, string status) =>
        (await PodAsync(ns, name, p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == status) == true, "PodScheduled=" + status))
            .Status.Conditions.Single(c => c.Type == "PodScheduled");

    private async Task<Corev1Event> EventAsync(string ns, string pod, string reason) =>
        (await Wait.UntilAsync(() => Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={pod},reason={reason}", cancellationToken: Ct),
            l => l.Items.Count > 0, TimeSpan.FromSeconds(60), $"{reason} event of {pod}")).Items[0];

    [Fact]
    public async Task A_pod_for_the_default_scheduler_is_bound_to_a_node_and_others_are_left_alone()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Scheduled("theirs", scheduler: "handoff"), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodAsync(Scheduled("mine"), ns, cancellationToken: Ct);

        var pod = await PodAsync(ns, "mine", p => !string.IsNullOrEmpty(p.Spec.NodeName), "bound");
        Assert.Equal("default-scheduler", pod.Spec.SchedulerName);
        Assert.Equal("True", (await PodScheduledAsync(ns, "mine", "True")).Status);
        var scheduled = await EventAsync(ns, "mine", "Scheduled");
        Assert.Equal($"Successfully assigned {ns}/mine to {pod.Spec.NodeName}", scheduled.Message);
        await PodAsync(ns, "mine", p => p.Status.Phase == "Running", "running", TimeSpan.FromMinutes(2));

        var theirs = await Client.CoreV1.ReadNamespacedPodAsync("theirs", ns, cancellationToken: Ct);
        Assert.Null(theirs.Spec.NodeName);
        Assert.DoesNotContain(theirs.Status.Conditions ?? [], c => c.Type == "PodScheduled");
    }

    [Fact]
    public async Task A_pod_that_fits_nowhere_is_Unschedulable_with_the_schedulers_message_and_an_event()
    {
        var ns = await NamespaceAsync();
        var nodes = (await Client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items.Count;
        await Client.CoreV1.CreateNamespacedPodAsync(Scheduled("huge", cpu: "10000"), ns, cancellationToken: Ct);
        var condition = await PodScheduledAsync(ns, "huge", "False");
        Assert.Equal("Unschedulable", condition.Reason);
        Assert.StartsWith($"0/{nodes} nodes are available: {nodes} Insufficient cpu.", condition.Message, StringComparison.Ordinal);
        Assert.Contains($"preemption: 0/{nodes} nodes are available: {nodes} No preemption victims found for incoming pod.", condition.Message, StringComparison.Ordinal);
        var failed = await EventAsync(ns, "huge", "FailedScheduling");
        Assert.Equal(("Warning", condition.Message), (failed.Type, failed.Message));

        var nowhere = Scheduled("nowhere");
        nowhere.Spec.NodeSelector = new Dictionary<string, string> { ["sandbox.test/no-such-label"] = "x" };
        await Client.CoreV1.CreateNamespacedPodAsync(nowhere, ns, cancellationToken: Ct);
        Assert.Contains($"{nodes} node(s) didn't match Pod's node affinity/selector.", (await PodScheduledAsync(ns, "nowhere", "False")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cordoned_or_tainted_node_takes_no_new_pods_until_it_is_uncordoned_or_the_pod_tolerates_the_taint()
    {
        var ns = await NamespaceAsync();
        var nodes = (await Client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items.Select(n => n.Metadata.Name).ToList();
        try
        {
            foreach (var node in nodes)
            {
                await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.StrategicMergePatch), node, cancellationToken: Ct);
            }

            await Client.CoreV1.CreateNamespacedPodAsync(Scheduled("waits"), ns, cancellationToken: Ct);
            Assert.Contains($"{nodes.Count} node(s) were unschedulable", (await PodScheduledAsync(ns, "waits", "False")).Message, StringComparison.Ordinal);
            var node0 = nodes[0];
            await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":null,"taints":[{"key":"sandbox.test/gpu","value":"true","effect":"NoSchedule"}]}}""", V1Patch.PatchType.MergePatch), node0, cancellationToken: Ct);

            // Uncordoned but tainted: still no place for a pod without the toleration.
            await Wait.UntilAsync(() => PodScheduledAsync(ns, "waits", "False"), c => c.Message.Contains("untolerated taint", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "taint reason");
            var tolerant = Scheduled("tolerant");
            tolerant.Spec.Tolerations = [new V1Toleration { Key = "sandbox.test/gpu", OperatorProperty = "Equal", Value = "true", Effect = "NoSchedule" }];
            await Client.CoreV1.CreateNamespacedPodAsync(tolerant, ns, cancellationToken: Ct);
            Assert.Equal(node0, (await PodAsync(ns, "tolerant", p => !string.IsNullOrEmpty(p.Spec.NodeName), "bound")).Spec.NodeName);

            await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"taints":null}}""", V1Patch.PatchType.MergePatch), node0, cancellationToken: Ct);
            Assert.Equal(node0, (await PodAsync(ns, "waits", p => !string.IsNullOrEmpty(p.Spec.NodeName), "bound once the node is free")).Spec.NodeName);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":null,"taints":null}}""", V1Patch.PatchType.MergePatch), node, cancellationToken: Ct);
            }
        }
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorSchedulingContractTests(EmulatorFixture fixture) : SchedulingContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sSchedulingContractTests(K3sFixture fixture) : SchedulingContract<K3sFixture>(fixture);
