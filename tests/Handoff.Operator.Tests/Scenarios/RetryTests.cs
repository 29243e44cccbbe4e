using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Scenarios;

public sealed class RetryTests
{
    [Fact]
    public async Task Failed_attempts_are_retried_after_10s_then_20s_then_fail_and_dependents_fail_too()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "4" });
        var op = await cluster.StartOperatorAsync(time: time);

        var flaky = SandboxCluster.Function("flaky", new Dictionary<string, string> { ["cpu"] = "2" });
        flaky.Spec.MaxRetries = 2;
        await cluster.CreateFunctionAsync(flaky);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("after", null, "flaky"));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("after-after", null, "after"));
        await using var kubelet = new TestKubelet(cluster, pod =>
            pod.Metadata.Labels[HandoffApi.FunctionLabel] == "flaky" ? new PodOutcome("boom", ExitCode: 1) : new PodOutcome("ok"));

        var waiting = await cluster.WaitForFunctionAsync("flaky", f => f.Status?.Reason() == Reasons.Retrying && f.Status.Attempts == 1, "waits to retry attempt 1");
        Assert.Equal(FunctionPhases.Pending, waiting.Status.Phase);
        Assert.Contains("retry 1 of 2", waiting.Status.Message, StringComparison.Ordinal);
        Assert.InRange(waiting.Status.RetryAfter!.Value - time.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(10.5));
        Assert.Equal(FunctionPhases.Waiting, (await cluster.GetFunctionAsync("after")).Status.Phase);

        // Just before the back-off ends, nothing is retried: a pass runs (another function gets scheduled) but no new pod.
        time.Advance(TimeSpan.FromSeconds(9));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("probe"));
        await cluster.WaitForPhaseAsync("probe", FunctionPhases.Succeeded);
        Assert.Single(await cluster.PodsAsync("flaky"));

        time.Advance(TimeSpan.FromSeconds(1));
        var second = await cluster.WaitForFunctionAsync("flaky", f => f.Status?.Attempts == 2 && f.Status.Reason() == Reasons.Retrying, "waits to retry attempt 2");
        Assert.Contains("retry 2 of 2", second.Status.Message, StringComparison.Ordinal);
        Assert.InRange(second.Status.RetryAfter!.Value - time.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(20.5));

        // The Retrying Event comes from the pass after the one that wrote the state (it must have lasted): wait for it
        // before the clock jumps past the back-off, or that pass would see attempt 3 under way and have nothing to say.
        await Wait.ForAsync(
            async () => (await cluster.EventsAsync()).Count(e => e.Reason == Reasons.Retrying && e.InvolvedObject.Name == "flaky"),
            n => n == 2, "the Retrying Event of attempt 2");

        time.Advance(TimeSpan.FromSeconds(20));
        var failed = await cluster.WaitForPhaseAsync("flaky", FunctionPhases.Failed);
        Assert.Equal(3, failed.Status.Attempts);
        Assert.Equal("flaky-3", failed.Status.PodName);
        Assert.Contains(failed.Status.Conditions!, c => c.Type == ConditionTypes.Completed && c.Reason == Reasons.RetriesExhausted);
        Assert.Equal(["flaky-1", "flaky-2", "flaky-3"], (await cluster.PodsAsync("flaky")).Select(p => p.Metadata.Name).Order());

        var after = await cluster.WaitForPhaseAsync("after", FunctionPhases.Failed);
        Assert.Contains(after.Status.Conditions!, c => c.Type == ConditionTypes.DependenciesReady && c.Reason == Reasons.DependencyFailed);
        Assert.Equal("dependency flaky failed", after.Status.Message);
        var afterAfter = await cluster.WaitForPhaseAsync("after-after", FunctionPhases.Failed);
        Assert.Equal("dependency after failed", afterAfter.Status.Message);
        Assert.Empty(await cluster.PodsAsync("after"));

        // An Event is recorded by the pass after the one that wrote its state (once the state has lasted): wait for it.
        var events = await Wait.ForAsync(
            cluster.EventsAsync, all => all.Any(e => e.Reason == Reasons.DependencyFailed && e.InvolvedObject.Name == "after"),
            "the DependencyFailed Event of after");
        Assert.Equal(2, events.Count(e => e.Reason == Reasons.Retrying && e.InvolvedObject.Name == "flaky"));
        Assert.Equal(0, (await cluster.GetNodeAsync("n1")).Status.Functions);
        Assert.True(op.Operator.IsLeader);
    }
}

internal static class StatusExtensions
{
    /// <summary>The reason of the Scheduled condition (where Retrying shows).</summary>
    public static string? Reason(this HandoffFunctionStatus status) =>
        status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Scheduled)?.Reason;
}
