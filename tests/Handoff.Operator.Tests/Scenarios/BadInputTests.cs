using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;

namespace Handoff.Operator.Tests.Scenarios;

public sealed class BadInputTests
{
    [Fact]
    public async Task Each_bad_function_gets_its_status_and_Event_while_the_others_keep_being_scheduled()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "4" });
        await cluster.CreateNodeAsync("n2", new Dictionary<string, string> { ["cpu"] = "2" });
        await cluster.StartOperatorAsync();
        await using var kubelet = new TestKubelet(cluster, pod => pod.Metadata.Labels[HandoffApi.FunctionLabel] == "hold" ? null : new PodOutcome("done"));

        await cluster.CreateFunctionAsync(SandboxCluster.Function("unknown-arg", null, "missing", "also-missing"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("self", null, "self"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("cyc-a", null, "cyc-b"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("cyc-b", null, "cyc-a"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("cyc-dependent", null, "cyc-a"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("too-big", new Dictionary<string, string> { ["cpu"] = "5" }));
        var badTemplate = SandboxCluster.Function("bad-template");
        // The CRD refuses a container without an image; two containers of one name only the pod validation does.
        badTemplate.Spec.Template.Spec.Containers.Add(new k8s.Models.V1Container { Name = badTemplate.Spec.Template.Spec.Containers[0].Name, Image = "busybox" });
        await cluster.CreateFunctionAsync(badTemplate);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("hold", new Dictionary<string, string> { ["cpu"] = "1" }));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("good", new Dictionary<string, string> { ["cpu"] = "1" }));

        var unknown = await cluster.WaitForPhaseAsync("unknown-arg", FunctionPhases.Waiting);
        Assert.Contains("missing, also-missing", unknown.Status.Message, StringComparison.Ordinal);
        Assert.Contains(unknown.Status.Conditions!, c => c.Type == ConditionTypes.DependenciesReady && c.Reason == Reasons.UnknownDependency);

        var self = await cluster.WaitForPhaseAsync("self", FunctionPhases.Failed);
        Assert.Equal("dependency cycle: self -> self", self.Status.Message);
        var cycA = await cluster.WaitForPhaseAsync("cyc-a", FunctionPhases.Failed);
        var cycB = await cluster.WaitForPhaseAsync("cyc-b", FunctionPhases.Failed);
        Assert.Contains(cycA.Status.Conditions!, c => c.Type == ConditionTypes.Completed && c.Reason == Reasons.DependencyCycle);
        Assert.Matches("^dependency cycle: cyc-(a|b) -> cyc-(a|b) -> cyc-(a|b)$", cycB.Status.Message);
        Assert.Equal("dependency cyc-a failed", (await cluster.WaitForPhaseAsync("cyc-dependent", FunctionPhases.Failed)).Status.Message);

        var big = await cluster.WaitForPhaseAsync("too-big", FunctionPhases.Pending);
        Assert.Contains(big.Status.Conditions!, c => c.Type == ConditionTypes.Scheduled && c.Reason == Reasons.Unschedulable);
        Assert.Contains("Unschedulable", big.Status.Message, StringComparison.Ordinal);
        Assert.StartsWith("0/2 nodes are available: 2 Insufficient cpu.", big.Status.Message, StringComparison.Ordinal);

        var bad = await cluster.WaitForPhaseAsync("bad-template", FunctionPhases.Failed);
        Assert.Contains(bad.Status.Conditions!, c => c.Type == ConditionTypes.Completed && c.Reason == Reasons.InvalidTemplate);
        Assert.Contains("spec.containers[1].name: Duplicate value", bad.Status.Message, StringComparison.Ordinal);

        Assert.Equal("done", (await cluster.WaitForPhaseAsync("good", FunctionPhases.Succeeded)).Status.Result);
        await cluster.WaitForPhaseAsync("hold", FunctionPhases.Scheduled);
        var n1 = await cluster.GetNodeAsync("n1");
        Assert.Equal("1", n1.Status.Allocated!["cpu"]); // only "hold"; the bad template released what it took

        await Wait.UntilAsync(
            async () =>
            {
                var reasons = (await cluster.EventsAsync()).Select(e => (e.InvolvedObject.Name, e.Reason)).ToHashSet();
                return reasons.Contains(("unknown-arg", Reasons.UnknownDependency)) && reasons.Contains(("self", Reasons.DependencyCycle)) &&
                       reasons.Contains(("cyc-a", Reasons.DependencyCycle)) && reasons.Contains(("cyc-dependent", Reasons.DependencyFailed)) &&
                       reasons.Contains(("too-big", Reasons.FailedScheduling)) && reasons.Contains(("bad-template", Reasons.InvalidTemplate));
            },
            "every problem has its Event");

        // The missing args appear: the waiting function runs with their results.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("missing"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("also-missing"));
        Assert.Equal("done", (await cluster.WaitForPhaseAsync("unknown-arg", FunctionPhases.Succeeded)).Status.Result);
        Assert.Empty(kubelet.Errors);
    }
}
