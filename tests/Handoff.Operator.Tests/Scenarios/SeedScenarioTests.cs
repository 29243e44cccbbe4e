using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>The Elixir library's seed scenario, against the sandbox over HTTP with the real KubernetesClient.</summary>
public sealed class SeedScenarioTests
{
    private static Dictionary<string, string> R(params (string Name, string Value)[] items) =>
        items.ToDictionary(i => i.Name, i => i.Value, StringComparer.Ordinal);

    [Fact]
    public async Task Functions_go_to_the_first_node_that_fits_and_one_that_does_not_fit_waits_then_binds()
    {
        await using var cluster = await SandboxCluster.StartAsync(["seed-node-a", "seed-node-b"]);
        await cluster.CreateNodeAsync("seed-node-a", R(("cpu", "8"), ("memory", "16000"), ("gpu", "2"), ("specialized_hardware", "1")));
        await cluster.CreateNodeAsync("seed-node-b", R(("cpu", "8"), ("memory", "16000")));
        var op = await cluster.StartOperatorAsync(new OperatorOptions { ScheduledEvents = true });

        await cluster.CreateFunctionAsync(SandboxCluster.Function("cpu-task", R(("cpu", "4"), ("memory", "4000"))));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("gpu-task", R(("cpu", "2"), ("memory", "8000"), ("gpu", "1"))));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("custom-task", R(("cpu", "1"), ("specialized_hardware", "1"))));
        foreach (var name in new[] { "cpu-task", "gpu-task", "custom-task" })
        {
            var f = await cluster.WaitForPhaseAsync(name, FunctionPhases.Scheduled);
            Assert.Equal("seed-node-a", f.Status.Node);
            Assert.Equal(name + "-1", f.Status.PodName);
            Assert.Equal(1, f.Status.Attempts);
            var pod = await cluster.WaitForBoundPodAsync(name);
            Assert.Equal("seed-node-a", pod.Spec.NodeName);
            Assert.Equal("handoff", pod.Spec.SchedulerName);
        }

        // 16000 - 12000 = 4000 memory left on a, and b has no gpu: it waits with kube-scheduler's wording.
        await cluster.CreateFunctionAsync(SandboxCluster.Function("big-gpu-task", R(("cpu", "1"), ("memory", "10000"), ("gpu", "1"))));
        var pending = await cluster.WaitForPhaseAsync("big-gpu-task", FunctionPhases.Pending);
        Assert.Equal("0/2 nodes are available: 1 Insufficient gpu, 1 Insufficient memory.", pending.Status.Message);
        Assert.Contains(pending.Status.Conditions!, c => c.Type == ConditionTypes.Scheduled && c.Status == ConditionStatus.False && c.Reason == Reasons.FailedScheduling);
        Assert.Empty(await cluster.PodsAsync("big-gpu-task"));

        var node = await cluster.GetNodeAsync("seed-node-a");
        Assert.Equal(3, node.Status.Functions);
        Assert.Equal("7", node.Status.Allocated!["cpu"]);
        Assert.Equal("12000", node.Status.Allocated["memory"]);
        Assert.Equal("4000", node.Status.Available!["memory"]);
        Assert.Contains(node.Status.Conditions!, c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.True);

        // The gpu task ends: its capacity frees and the waiting function is bound at once.
        var gpuPod = await cluster.WaitForBoundPodAsync("gpu-task");
        await cluster.StartPodAsync(gpuPod);
        await cluster.WaitForPhaseAsync("gpu-task", FunctionPhases.Running);
        await cluster.FinishPodAsync(gpuPod, "gpu-done");
        var done = await cluster.WaitForPhaseAsync("gpu-task", FunctionPhases.Succeeded);
        Assert.Equal("gpu-done", done.Status.Result);
        Assert.NotNull(done.Status.CompletionTime);
        var bound = await cluster.WaitForPhaseAsync("big-gpu-task", FunctionPhases.Scheduled);
        Assert.Equal("seed-node-a", bound.Status.Node);
        Assert.Equal("seed-node-a", (await cluster.WaitForBoundPodAsync("big-gpu-task")).Spec.NodeName);

        // The metrics tell the same story.
        var metrics = op.Services.GetRequiredService<OperatorMetrics>();
        using var exported = new MemoryStream();
        await Wait.UntilAsync(() => metrics.FunctionsByPhase.WithLabels(FunctionPhases.Succeeded).Value == 1, "the phase gauge counts the succeeded function");
        await metrics.ExportAsync(exported, cancellationToken: SandboxCluster.Ct);
        var text = System.Text.Encoding.UTF8.GetString(exported.ToArray());
        Assert.Contains("handoff_node_capacity{node=\"seed-node-a\",resource=\"gpu\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("handoff_node_allocated{node=\"seed-node-a\",resource=\"memory\"} 14000", text, StringComparison.Ordinal);
        Assert.True(metrics.SchedulingAttempts.WithLabels("scheduled").Value >= 4);
        Assert.True(metrics.SchedulingAttempts.WithLabels("unavailable").Value >= 1);
        Assert.True(metrics.SchedulingLatency.Count >= 4);
        Assert.Equal(1, metrics.IsLeader.Value);

        var events = await cluster.EventsAsync();
        Assert.Contains(events, e => e.Reason == Reasons.Scheduled && e.InvolvedObject.Name == "cpu-task");
        Assert.Contains(events, e => e.Reason == Reasons.FailedScheduling && e.InvolvedObject.Name == "big-gpu-task" && e.Type == "Warning");
    }
}
