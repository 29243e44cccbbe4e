using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>The decisions of a reconcile pass, as the operator logs them: event id, level, what was decided.</summary>
public sealed class DecisionLogTests
{
    [Fact]
    public async Task Placed_pending_retried_succeeded_and_failed_functions_are_each_logged_at_the_level_of_their_decision()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "2" });
        var log = new LogRecorder();
        await using var op = await OperatorHost.StartAsync(
            new OperatorOptions { MetricsAddress = "", ProbeAddress = "", LogLevel = "Debug" },
            cluster.Config,
            new OperatorHostSettings { TimeProvider = time, ConfigureLogging = logging => logging.AddProvider(log) },
            SandboxCluster.Ct);
        var ns = cluster.Namespace;

        var flaky = SandboxCluster.Function("flaky", new Dictionary<string, string> { ["cpu"] = "1" });
        flaky.Spec.MaxRetries = 1;
        await cluster.CreateFunctionAsync(flaky);
        await cluster.CreateFunctionAsync(SandboxCluster.Function("big", new Dictionary<string, string> { ["cpu"] = "5" }));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("loop", null, "loop"));
        await using var kubelet = new TestKubelet(cluster, pod =>
            pod.Metadata.Name == "flaky-1" ? new PodOutcome("boom", ExitCode: 1) : new PodOutcome("ok"));

        await cluster.WaitForFunctionAsync("flaky", f => f.Status?.Reason() == Reasons.Retrying, "flaky waits to retry");
        time.Advance(TimeSpan.FromSeconds(10));
        await cluster.WaitForPhaseAsync("flaky", FunctionPhases.Succeeded);
        await cluster.WaitForPhaseAsync("loop", FunctionPhases.Failed);
        await cluster.WaitForFunctionAsync("big", f => f.Status?.Phase == FunctionPhases.Pending, "big is Pending");

        LoggedLine Line(int id, string containing) =>
            log.Lines.FirstOrDefault(l => l.EventId.Id == id && l.Message.Contains(containing, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no line {id} containing '{containing}' in:\n" + string.Join('\n', log.Lines.Select(l => $"{l.EventId.Id} {l.Level} {l.Message}")));
        await Wait.UntilAsync(() => log.Lines.Any(l => l.EventId.Id == 104), "the success is logged");

        // Placed: the binding at Information, the Scheduled status at Debug.
        Assert.Equal(LogLevel.Information, Line(200, $"Bound pod {ns}/flaky-1 to node n1").Level);
        Assert.Equal(LogLevel.Information, Line(200, $"Bound pod {ns}/flaky-2 to node n1").Level);
        Assert.Equal(LogLevel.Debug, Line(102, $"Function {ns}/flaky is Scheduled on n1").Level);
        // Pending with its reason: Debug.
        Assert.Equal(LogLevel.Debug, Line(101, $"Function {ns}/big is Pending (Unschedulable)").Level);
        // Retried, succeeded, failed: Information.
        Assert.Equal(LogLevel.Information, Line(105, $"Function {ns}/flaky will be retried").Level);
        Assert.Equal(LogLevel.Information, Line(104, $"Function {ns}/flaky Succeeded on n1").Level);
        Assert.Equal(LogLevel.Information, Line(106, $"Function {ns}/loop Failed (DependencyCycle)").Level);
        Assert.All(log.Lines.Where(l => l.Category.StartsWith("Handoff.", StringComparison.Ordinal)), l => Assert.InRange(l.EventId.Id, 100, 599));
    }
}
