using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// PriorityClasses and the Priority admission plugin: a pod's priority and preemption policy come from its class (0
/// and <c>PreemptLowerPriority</c> without one), never from the pod; the system classes exist from the start.
/// </summary>
/// <remarks>The classes are cluster-wide and the cluster is shared: each test names its own, and none is a global default (that is tested on an emulator of its own, in Scheduling/PriorityAdmissionTests).</remarks>
public abstract class PriorityContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    private static string ClassName() => "pc-" + Guid.NewGuid().ToString("N")[..10];

    private Task<V1PriorityClass> ClassAsync(string name, int value, string? preemptionPolicy = null) =>
        Client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = name }, Value = value, PreemptionPolicy = preemptionPolicy }, cancellationToken: Ct);

    private static V1Pod PodOf(string name, string? priorityClass = null, int? priority = null, string? preemptionPolicy = null)
    {
        var pod = Pod(name);
        pod.Spec.PriorityClassName = priorityClass;
        pod.Spec.Priority = priority;
        pod.Spec.PreemptionPolicy = preemptionPolicy;
        return pod;
    }

    [Fact]
    public async Task A_pod_takes_its_classs_value_and_preemption_policy_and_without_a_class_0_and_PreemptLowerPriority()
    {
        var ns = await NamespaceAsync();
        var name = ClassName();
        await ClassAsync(name, 1000, "Never");

        var classed = await Client.CoreV1.CreateNamespacedPodAsync(PodOf("classed", name), ns, cancellationToken: Ct);
        Assert.Equal((name, 1000, "Never"), (classed.Spec.PriorityClassName, classed.Spec.Priority, classed.Spec.PreemptionPolicy));

        // A pod may repeat what its class says.
        var repeating = await Client.CoreV1.CreateNamespacedPodAsync(PodOf("repeating", name, 1000, "Never"), ns, cancellationToken: Ct);
        Assert.Equal((1000, "Never"), (repeating.Spec.Priority, repeating.Spec.PreemptionPolicy));

        var plain = await Client.CoreV1.CreateNamespacedPodAsync(PodOf("plain"), ns, cancellationToken: Ct);
        Assert.Equal((null, 0, "PreemptLowerPriority"), (plain.Spec.PriorityClassName, plain.Spec.Priority, plain.Spec.PreemptionPolicy));
    }

    [Fact]
    public async Task The_system_classes_exist_and_any_namespaces_pod_may_name_them()
    {
        var ns = await NamespaceAsync();
        var cluster = await Client.SchedulingV1.ReadPriorityClassAsync("system-cluster-critical", cancellationToken: Ct);
        var node = await Client.SchedulingV1.ReadPriorityClassAsync("system-node-critical", cancellationToken: Ct);
        Assert.Equal((2_000_000_000, 2_000_001_000), (cluster.Value, node.Value));
        Assert.Equal("PreemptLowerPriority", cluster.PreemptionPolicy);

        var pod = await Client.CoreV1.CreateNamespacedPodAsync(PodOf("critical", "system-cluster-critical"), ns, cancellationToken: Ct);
        Assert.Equal(2_000_000_000, pod.Spec.Priority);
    }

    [Fact]
    public async Task A_pod_naming_no_such_class_or_giving_another_priority_or_policy_than_its_class_is_forbidden()
    {
        var ns = await NamespaceAsync();
        var name = ClassName();
        await ClassAsync(name, 50);

        var unknown = await FailsWith(HttpStatusCode.Forbidden, () => Client.CoreV1.CreateNamespacedPodAsync(PodOf("unknown", "no-such-class"), ns, cancellationToken: Ct));
        Assert.Equal("pods \"unknown\" is forbidden: no PriorityClass with name no-such-class was found", unknown.Message);

        var priority = await FailsWith(HttpStatusCode.Forbidden, () => Client.CoreV1.CreateNamespacedPodAsync(PodOf("priority", name, priority: 7), ns, cancellationToken: Ct));
        Assert.Equal("pods \"priority\" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 50 from the given PriorityClass name", priority.Message);

        var classless = await FailsWith(HttpStatusCode.Forbidden, () => Client.CoreV1.CreateNamespacedPodAsync(PodOf("classless", priority: 7), ns, cancellationToken: Ct));
        Assert.Equal("pods \"classless\" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name", classless.Message);

        var policy = await FailsWith(HttpStatusCode.Forbidden, () => Client.CoreV1.CreateNamespacedPodAsync(PodOf("policy", preemptionPolicy: "Never"), ns, cancellationToken: Ct));
        Assert.Equal("pods \"policy\" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name", policy.Message);

        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task A_class_defaults_its_policy_keeps_user_values_to_a_billion_and_its_value_for_good()
    {
        await NamespaceAsync();
        var name = ClassName();
        var created = await ClassAsync(name, 10);
        Assert.Equal("PreemptLowerPriority", created.PreemptionPolicy);

        var high = await FailsWith(HttpStatusCode.UnprocessableEntity, () => ClassAsync(ClassName(), 1_000_000_001));
        Assert.Contains("value: Forbidden: maximum allowed value of a user defined priority is 1000000000", high.Message, StringComparison.Ordinal);

        var reserved = await FailsWith(HttpStatusCode.UnprocessableEntity, () => ClassAsync("system-" + ClassName(), 10));
        Assert.Contains("metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only.", reserved.Message, StringComparison.Ordinal);

        created.Value = 11;
        var changed = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.SchedulingV1.ReplacePriorityClassAsync(created, name, cancellationToken: Ct));
        Assert.Contains("value: Forbidden: may not be changed in an update.", changed.Message, StringComparison.Ordinal);
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorPriorityContractTests(EmulatorFixture fixture) : PriorityContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sPriorityContractTests(K3sFixture fixture) : PriorityContract<K3sFixture>(fixture);
