using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Sandbox;
using Handoff.Testing;
using Handoff.Testing.Builders;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios.Queues;

/// <summary>Queue, PriorityClass and queued-function helpers over a <see cref="SandboxCluster"/>.</summary>
internal static class QueueCluster
{
    public static CancellationToken Ct => SandboxCluster.Ct;

    /// <summary>A function of <paramref name="cpu"/> cpus that runs for <paramref name="runs"/> (Go duration) on the simulated kubelet.</summary>
    public static HandoffFunction Function(
        string name, string cpu, string? queue = null, int? priority = null, string? priorityClass = null, HandoffGang? gang = null,
        bool mayPreempt = true, string runs = "1h")
    {
        var f = TestObjects.Function(name).Cost("cpu", cpu).Annotation(SimulatedKubelet.DurationAnnotation, runs)
            .Annotation(SimulatedKubelet.TerminationAnnotation, "0s").BuildForCreate();
        f.Spec.Queue = queue;
        f.Spec.Priority = priority;
        f.Spec.PriorityClassName = priorityClass;
        f.Spec.Gang = gang;
        f.Spec.PreemptionPolicy = mayPreempt ? null : PreemptionPolicies.Never;
        return f;
    }

    public static async Task CreateQueueAsync(this SandboxCluster cluster, string name, HandoffQueueSpec spec) =>
        await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(
            new HandoffQueue { Metadata = new V1ObjectMeta { Name = name }, Spec = spec }, HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural,
            cancellationToken: Ct);

    public static async Task<HandoffQueue> GetQueueAsync(this SandboxCluster cluster, string name) =>
        await cluster.Client.CustomObjects.GetClusterCustomObjectAsync<HandoffQueue>(HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, name, cancellationToken: Ct);

    public static Task<HandoffQueue> WaitForQueueAsync(this SandboxCluster cluster, string name, Func<HandoffQueue, bool> condition, string what) =>
        Wait.ForAsync(() => cluster.GetQueueAsync(name), condition, $"queue {name} {what}");

    public static async Task CreatePriorityClassAsync(this SandboxCluster cluster, string name, int value) =>
        await cluster.Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = name }, Value = value }, cancellationToken: Ct);

    public static Dictionary<string, string> Cpu(string cpu) => new() { ["cpu"] = cpu };

    /// <summary>The function's live, bound pods (current or not).</summary>
    public static async Task<List<V1Pod>> BoundPodsAsync(this SandboxCluster cluster, string function) =>
        [.. (await cluster.PodsAsync(function)).Where(p => !string.IsNullOrEmpty(p.Spec.NodeName) && p.Status?.Phase is not ("Succeeded" or "Failed"))];
}
