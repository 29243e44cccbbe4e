using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Scenarios.Queues;
using Handoff.Operator.Tests.Support;
using Handoff.Sandbox;
using Handoff.Testing;
using Handoff.Testing.Builders;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// Pods and Jobs that name Handoff as their scheduler (<c>schedulerName: handoff</c>) are scheduled with the functions,
/// from the same capacity; one that fits nowhere is told why as kube-scheduler tells it.
/// </summary>
public sealed class PlainPodTests
{
    private static V1PodSpec Spec(string cpu) => new()
    {
        SchedulerName = HandoffApi.DefaultSchedulerName,
        RestartPolicy = "Never",
        Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } } }],
    };

    private static async Task<V1Pod> ReadPodAsync(SandboxCluster cluster, string name) =>
        await cluster.Client.CoreV1.ReadNamespacedPodAsync(name, cluster.Namespace, cancellationToken: SandboxCluster.Ct);

    [Fact]
    public async Task A_pod_that_names_Handoff_is_bound_from_the_functions_capacity()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "4" });
        await cluster.StartOperatorAsync();
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "plain" }, Spec = Spec("3") }, cluster.Namespace, cancellationToken: SandboxCluster.Ct);

        var pod = await Wait.ForAsync(() => ReadPodAsync(cluster, "plain"), p => !string.IsNullOrEmpty(p.Spec.NodeName), "the plain pod is bound");
        Assert.Equal("n1", pod.Spec.NodeName);
        Assert.Equal("n1", pod.Metadata.Annotations[HandoffApi.HandoffNodeAnnotation]);
        Assert.Contains("\"cpu\":\"3\"", pod.Metadata.Annotations[HandoffApi.CostAnnotation], StringComparison.Ordinal);

        // The pod holds 3 of the 4: a 2-cpu function waits for it.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("f", new Dictionary<string, string> { ["cpu"] = "2" }));
        var f = await cluster.WaitForPhaseAsync("f", "Pending");
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu.", f.Status.Message);
    }

    [Fact]
    public async Task A_pod_that_fits_nowhere_is_marked_unschedulable_with_a_FailedScheduling_Event()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "4" });
        await cluster.StartOperatorAsync();
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "huge" }, Spec = Spec("16") }, cluster.Namespace, cancellationToken: SandboxCluster.Ct);

        var pod = await Wait.ForAsync(
            () => ReadPodAsync(cluster, "huge"), p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled") == true, "PodScheduled is set");
        var scheduled = pod.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal(("False", "Unschedulable"), (scheduled.Status, scheduled.Reason));
        Assert.StartsWith("0/1 nodes are available: 1 Insufficient cpu. Unschedulable: the cost (", scheduled.Message, StringComparison.Ordinal);
        Assert.Null(pod.Spec.NodeName);
        var failed = await Wait.ForAsync(
            async () => (await cluster.EventsAsync()).FirstOrDefault(e => e.Reason == "FailedScheduling" && e.InvolvedObject.Name == "huge"),
            e => e is not null, "a FailedScheduling Event");
        Assert.Equal(("Warning", scheduled.Message), (failed!.Type, failed.Message));
    }

    [Fact]
    public async Task A_Job_that_names_Handoff_runs_all_its_pods_to_completion()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2"], simulateKubelet: true);
        await cluster.CreateNodeAsync(TestObjects.HandoffNode("n1").Capacity("cpu", "4"));
        await cluster.CreateNodeAsync(TestObjects.HandoffNode("n2").Capacity("cpu", "4"));
        await cluster.StartOperatorAsync();
        // 3 pods of 3 cpus on two 4-cpu nodes: two run at once, the third waits for one to finish.
        var spec = Spec("3");
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "batch" },
            Spec = new V1JobSpec
            {
                Parallelism = 3,
                Completions = 3,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [SimulatedKubelet.DurationAnnotation] = "300ms" } },
                    Spec = spec,
                },
            },
        };
        await cluster.Client.BatchV1.CreateNamespacedJobAsync(job, cluster.Namespace, cancellationToken: SandboxCluster.Ct);

        await Wait.ForAsync(
            () => cluster.Client.BatchV1.ReadNamespacedJobAsync("batch", cluster.Namespace, cancellationToken: SandboxCluster.Ct),
            j => j.Status?.Succeeded == 3, "the Job completes", TimeSpan.FromSeconds(30));
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: "job-name=batch", cancellationToken: SandboxCluster.Ct)).Items;
        Assert.Equal(3, pods.Count(p => p.Status.Phase == "Succeeded"));
        Assert.All(pods, p => Assert.Equal(p.Spec.NodeName, p.Metadata.Annotations[HandoffApi.HandoffNodeAnnotation]));
    }

    [Fact]
    public async Task A_pod_has_its_PriorityClasss_value_and_a_lower_function_is_preempted_for_it()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync(TestObjects.HandoffNode("n1").Capacity("cpu", "2"));
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(QueueCluster.Function("low", "2", priority: 1));
        await cluster.WaitForPhaseAsync("low", "Running");

        // The API server writes the class's value into the pod (the pod gives none): Handoff reads it from there.
        await cluster.CreatePriorityClassAsync("urgent", 1000);
        var urgent = new V1Pod { Metadata = new V1ObjectMeta { Name = "urgent" }, Spec = Spec("2") };
        urgent.Spec.PriorityClassName = "urgent";
        var created = await cluster.Client.CoreV1.CreateNamespacedPodAsync(urgent, cluster.Namespace, cancellationToken: SandboxCluster.Ct);
        Assert.Equal(1000, created.Spec.Priority);

        var pod = await Wait.ForAsync(() => ReadPodAsync(cluster, "urgent"), p => !string.IsNullOrEmpty(p.Spec.NodeName), "the urgent pod is bound", TimeSpan.FromSeconds(30));
        Assert.Equal("n1", pod.Spec.NodeName);
        var preempted = (await cluster.EventsAsync()).Single(e => e.Reason == Reasons.Preempted);
        Assert.Equal("low", preempted.InvolvedObject.Name);
        Assert.Contains("(priority 1000)", preempted.Message, StringComparison.Ordinal);
    }
}
