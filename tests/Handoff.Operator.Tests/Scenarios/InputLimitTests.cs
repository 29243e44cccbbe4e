using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>Inputs over Core's limits fail the function before any pod is created (issue 16, item 5).</summary>
public sealed class InputLimitTests
{
    [Fact]
    public async Task Args_results_too_large_together_fail_the_function_with_InputTooLarge_and_no_pod()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "64" });
        await cluster.StartOperatorAsync();
        var full = new string('r', 4096);
        await using var kubelet = new TestKubelet(cluster, pod => new PodOutcome(pod.Metadata.Name.StartsWith("big-", StringComparison.Ordinal) ? full : "ok"));

        var args = Enumerable.Range(0, 40).Select(i => $"big-{i}").ToArray();
        foreach (var name in args)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function(name));
        }

        await cluster.CreateFunctionAsync(SandboxCluster.Function("join", new Dictionary<string, string> { ["cpu"] = "1" }, args));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("fits", null, args[..31]));
        await cluster.CreateFunctionAsync(SandboxCluster.Function("after", null, "join"));

        var join = await cluster.WaitForPhaseAsync("join", FunctionPhases.Failed);
        Assert.Equal(
            "HANDOFF_ARGS would be 163961 bytes (40 result(s) of args, 0 extraArgs), more than the 131058 allowed (the kernel's 128 KiB limit on one environment string)",
            join.Status.Message);
        Assert.Contains(join.Status.Conditions!, c => c.Type == ConditionTypes.Completed && c.Reason == Reasons.InputTooLarge);
        Assert.Equal(0, join.Status.Attempts);
        Assert.Empty(await cluster.PodsAsync("join"));

        var after = await cluster.WaitForPhaseAsync("after", FunctionPhases.Failed);
        Assert.Equal("dependency join failed", after.Status.Message);
        var fits = await cluster.WaitForPhaseAsync("fits", FunctionPhases.Succeeded);
        Assert.Equal(31, SandboxCluster.ArgsOf(Assert.Single(await cluster.PodsAsync("fits"))).Length);

        await Wait.UntilAsync(
            async () => (await cluster.EventsAsync()).Any(e => e.Reason == Reasons.InputTooLarge && e.InvolvedObject.Name == "join" && e.Type == "Warning"),
            "a Warning InputTooLarge Event for join");
        Assert.Empty(await cluster.PodsAsync("join"));
        Assert.Equal(0, (await cluster.GetNodeAsync("n1")).Status.Functions);
    }
}
