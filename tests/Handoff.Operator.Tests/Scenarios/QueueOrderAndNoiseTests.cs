using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>What a new user hit: DAG steps overtaking work ready for longer, unknown collocation targets, Event noise.</summary>
public sealed class QueueOrderAndNoiseTests
{
    private static Dictionary<string, string> Cpu(string amount) => new() { ["cpu"] = amount };

    [Fact]
    public async Task A_function_ready_for_longer_goes_before_a_dag_step_that_just_became_ready_whatever_their_names()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", Cpu("1"));
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(SandboxCluster.Function("a1", Cpu("1")));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("a2", Cpu("1"), "a1"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("z1", Cpu("1")));
        var a1 = await cluster.WaitForBoundPodAsync("a1");

        // z1 has been ready since its creation; a2 becomes ready when a1 succeeds, a later second (the API's precision).
        var created = (await cluster.GetFunctionAsync("z1")).Metadata.CreationTimestamp!.Value;
        await Wait.UntilAsync(() => DateTime.UtcNow >= created.AddSeconds(1.2), "a later second than z1's creation");
        await cluster.FinishPodAsync(a1, "done");
        var z1 = await cluster.WaitForPhaseAsync("z1", FunctionPhases.Scheduled);
        Assert.Equal("n1", z1.Status.Node);
        // a2's status is written in the same pass as z1's, in parallel: wait until it left Waiting.
        var a2 = await cluster.WaitForFunctionAsync("a2", f => f.Status?.Phase != FunctionPhases.Waiting, "a2 no longer Waiting");
        Assert.Equal(FunctionPhases.Pending, a2.Status.Phase);
    }

    [Fact]
    public async Task A_collocation_target_that_does_not_exist_is_an_unknown_dependency_until_it_is_created()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", Cpu("4"));
        await cluster.StartOperatorAsync();
        var follower = SandboxCluster.Function("follower", Cpu("1"));
        follower.Spec.CollocateWith = "leader";
        await cluster.CreateFunctionAsync(follower);
        var waiting = await cluster.WaitForPhaseAsync("follower", FunctionPhases.Waiting);
        Assert.Equal("unknown collocateWith (no such HandoffFunction in this namespace): leader", waiting.Status.Message);
        Assert.Contains(waiting.Status.Conditions!, c => c.Type == ConditionTypes.DependenciesReady && c.Reason == Reasons.UnknownDependency);

        await cluster.CreateFunctionAsync(SandboxCluster.Function("leader", Cpu("1")));
        var placed = await cluster.WaitForPhaseAsync("follower", FunctionPhases.Scheduled);
        Assert.Equal((await cluster.WaitForPhaseAsync("leader", FunctionPhases.Scheduled)).Status.Node, placed.Status.Node);
    }

    [Fact]
    public async Task Deleting_a_running_function_and_applying_dependents_before_their_args_record_no_warning()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", Cpu("4"));
        await cluster.StartOperatorAsync();

        // Dependents first, then their arg, as one kubectl apply of a file written top-down does.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("join", Cpu("1"), "source"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("source", Cpu("1")));
        await cluster.WaitForPhaseAsync("source", FunctionPhases.Scheduled);

        // Deleting a running function: its pods go with it; that is not a failed attempt.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("doomed", Cpu("1")));
        var doomed = await cluster.WaitForBoundPodAsync("doomed");
        await cluster.StartPodAsync(doomed);
        await cluster.WaitForPhaseAsync("doomed", FunctionPhases.Running);
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, "doomed",
            new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: SandboxCluster.Ct);
        // The garbage collector deletes the pod gracefully; the test, as the kubelet, ends it.
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("doomed")).All(p => p.Metadata.DeletionTimestamp is not null), "doomed's pod is terminating");
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(doomed.Metadata.Name, cluster.Namespace, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: SandboxCluster.Ct);
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("doomed")).Count == 0, "doomed's pod is gone");

        // Consistently, for longer than the operator's Event confirmation delay (1 s): no Retrying, no UnknownDependency.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("probe", Cpu("1")));
        await cluster.WaitForPhaseAsync("probe", FunctionPhases.Scheduled);
        var until = DateTimeOffset.UtcNow.AddSeconds(2);
        while (DateTimeOffset.UtcNow < until)
        {
            var events = await cluster.EventsAsync();
            Assert.DoesNotContain(events, e => e.Reason == Reasons.Retrying);
            Assert.DoesNotContain(events, e => e.Reason == Reasons.UnknownDependency);
        }
    }
}
