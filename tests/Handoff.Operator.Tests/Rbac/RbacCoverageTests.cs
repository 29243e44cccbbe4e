using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Scenarios;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;

namespace Handoff.Operator.Tests.Rbac;

/// <summary>
/// Records every API request the operator makes in an end-to-end run that exercises all its paths (leader election,
/// informers, pod create/bind/delete, status patches, Events, an invalid template) and fails when one is not
/// granted by src/Handoff.Operator/Rbac/required-permissions.yaml — the file the Helm chart's RBAC is checked against.
/// </summary>
public sealed class RbacCoverageTests
{
    [Fact]
    public async Task Every_api_call_of_an_end_to_end_run_is_covered_by_required_permissions()
    {
        var rules = RbacRules.Load();
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", new Dictionary<string, string> { ["cpu"] = "2" });
        var recorder = new ApiCallRecorder();
        var options = LeaderElectionTests.Replica(cluster, "rbac") with { Namespace = cluster.Namespace };

        // 1st operator: creates a pod whose binding fails, then stops (the next one must clean it up).
        cluster.Server.Faults.FailNext(1000, 500, "create", "pods/binding");
        var first = await cluster.StartOperatorAsync(options, handlers: () => [recorder.CreateHandler()]);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("late", new Dictionary<string, string> { ["cpu"] = "2" }));
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("late")).Count == 1, "an unbound pod exists");
        await cluster.StopOperatorAsync(first);
        cluster.Server.Faults.Reset();
        var other = await cluster.CreateFunctionAsync(SandboxCluster.Function("other", new Dictionary<string, string> { ["cpu"] = "2" }));
        var pod = Operator.Controllers.FunctionPods.Build(other, Api.Mapping.HandoffMapper.ToFunction(other), "other-1", 1, "w1", "handoff", []);
        pod.Spec.NodeName = "w1";
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, cluster.Namespace, cancellationToken: SandboxCluster.Ct);

        // 2nd operator: deletes the unbound pod, schedules, binds, records results and failures.
        await cluster.StartOperatorAsync(options, handlers: () => [recorder.CreateHandler()]);
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("late")).Count == 0, "the unbound pod is deleted");
        await using var kubelet = new TestKubelet(cluster, p => new PodOutcome("ok"));
        var bad = SandboxCluster.Function("bad-template");
        // The CRD refuses a container without an image; two containers of one name only the pod validation does.
        bad.Spec.Template.Spec.Containers.Add(new k8s.Models.V1Container { Name = bad.Spec.Template.Spec.Containers[0].Name, Image = "busybox" });
        await cluster.CreateFunctionAsync(bad);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("cycle", null, "cycle"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("too-big", new Dictionary<string, string> { ["cpu"] = "3" }));
        var shortLived = SandboxCluster.Function("short-lived");
        shortLived.Spec.TtlSecondsAfterFinished = 0;
        await cluster.CreateFunctionAsync(shortLived);
        await Wait.UntilAsync(async () => !(await cluster.ListFunctionsAsync()).Any(f => f.Metadata.Name == "short-lived"), "short-lived is deleted after its TTL");
        await cluster.WaitForPhaseAsync("late", FunctionPhases.Succeeded);
        await cluster.WaitForPhaseAsync("other", FunctionPhases.Succeeded);
        await cluster.WaitForPhaseAsync("bad-template", FunctionPhases.Failed);
        await cluster.WaitForPhaseAsync("cycle", FunctionPhases.Failed);
        await cluster.WaitForPhaseAsync("too-big", FunctionPhases.Pending);

        var calls = recorder.Calls.Distinct().ToList();
        var uncovered = calls.Where(c => !rules.Allows(cluster: true, c.ApiGroup, c.Resource, c.Verb) &&
                                         !(c.Namespace == options.LeaseNamespace && rules.Allows(cluster: false, c.ApiGroup, c.Resource, c.Verb)))
            .Select(c => c.ToString()).ToList();
        Assert.True(uncovered.Count == 0, "calls not granted by required-permissions.yaml: " + string.Join("; ", uncovered));

        // The run really exercised every kind of call.
        var expected = new[]
        {
            ("list", "handoffnodes"), ("watch", "handoffnodes"), ("list", "handofffunctions"), ("watch", "handofffunctions"),
            ("list", "pods"), ("watch", "pods"), ("list", "nodes"), ("watch", "nodes"), ("create", "pods"), ("create", "pods/binding"),
            ("delete", "pods"), ("patch", "handofffunctions/status"), ("patch", "handoffnodes/status"), ("create", "events"),
            ("get", "leases"), ("create", "leases"), ("update", "leases"), ("delete", "handofffunctions"),
        };
        var missing = expected.Where(e => !calls.Any(c => c.Verb == e.Item1 && c.Resource == e.Item2)).ToList();
        Assert.True(missing.Count == 0, "not exercised: " + string.Join(", ", missing) + "; seen: " + string.Join(", ", calls));
    }
}
