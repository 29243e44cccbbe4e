using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>
/// Finished work against the sandbox (api.md "Finished work"): pods collected under podGC, functions deleted after their
/// TTL (on a fake clock) but not while an unfinished function needs their result, results handed on from the status
/// after the pods are gone, and collected functions never run again by a new operator.
/// </summary>
public sealed class FinishedWorkTests
{
    private static readonly Dictionary<string, string> OneCpu = new() { ["cpu"] = "1" };

    private static HandoffFunction Function(string name, string? podGC = null, int? ttl = null, params string[] args)
    {
        var f = SandboxCluster.Function(name, OneCpu, args);
        f.Spec.PodGC = podGC;
        f.Spec.TtlSecondsAfterFinished = ttl;
        return f;
    }

    private static string FunctionOf(k8s.Models.V1Pod pod) => pod.Metadata.Labels[HandoffApi.FunctionLabel];

    private static async Task<bool> ExistsAsync(SandboxCluster cluster, string name) =>
        (await cluster.ListFunctionsAsync()).Any(f => f.Metadata.Name == name);

    /// <summary>Creates a function (kept for a day) and waits for it to succeed: proof that the operator ran passes since.</summary>
    private static async Task ProbeAsync(SandboxCluster cluster, string name)
    {
        await cluster.CreateFunctionAsync(Function(name, ttl: 86_400));
        await cluster.WaitForPhaseAsync(name, FunctionPhases.Succeeded);
    }

    [Fact]
    public async Task PodGC_OnSuccess_OnCompletion_and_Never_collect_the_pods_they_name_and_the_results_stay_in_status()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "8" });
        await cluster.StartOperatorAsync();
        await using var kubelet = new TestKubelet(cluster, pod =>
            FunctionOf(pod).StartsWith("fails", StringComparison.Ordinal) ? new PodOutcome("boom", ExitCode: 1) : new PodOutcome("42"));

        foreach (var (name, policy) in new[]
                 {
                     ("ok-on-success", PodGCPolicies.OnSuccess), ("ok-on-completion", PodGCPolicies.OnCompletion), ("ok-never", PodGCPolicies.Never),
                     ("fails-on-success", PodGCPolicies.OnSuccess), ("fails-on-completion", PodGCPolicies.OnCompletion),
                 })
        {
            var f = Function(name, policy);
            f.Spec.MaxRetries = 0;
            await cluster.CreateFunctionAsync(f);
        }

        await Wait.UntilAsync(async () => (await cluster.PodsAsync("ok-on-success")).Count == 0, "ok-on-success's pod is collected");
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("ok-on-completion")).Count == 0, "ok-on-completion's pod is collected");
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("fails-on-completion")).Count == 0, "fails-on-completion's pod is collected");
        await ProbeAsync(cluster, "probe");

        Assert.Single(await cluster.PodsAsync("ok-never"));
        Assert.Single(await cluster.PodsAsync("fails-on-success"));
        foreach (var name in new[] { "ok-on-success", "ok-on-completion", "ok-never" })
        {
            var f = await cluster.GetFunctionAsync(name);
            Assert.Equal((FunctionPhases.Succeeded, "42", 1, name + "-1"), (f.Status.Phase, f.Status.Result, f.Status.Attempts, f.Status.PodName));
        }

        var failed = await cluster.GetFunctionAsync("fails-on-completion");
        Assert.Equal((FunctionPhases.Failed, 1), (failed.Status.Phase, failed.Status.Attempts));
        Assert.Contains("exit code 1", failed.Status.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await cluster.GetNodeAsync("n1")).Status.Functions);
    }

    [Fact]
    public async Task The_operator_default_podGC_applies_to_functions_that_name_none()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "8" });
        await cluster.StartOperatorAsync(new OperatorOptions { DefaultPodGC = PodGCPolicies.OnCompletion });
        await using var kubelet = new TestKubelet(cluster, _ => new PodOutcome("42"));

        await cluster.CreateFunctionAsync(Function("default"));
        await cluster.CreateFunctionAsync(Function("never", PodGCPolicies.Never));
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("default")).Count == 0, "the default policy collects the pod");
        await cluster.WaitForPhaseAsync("never", FunctionPhases.Succeeded);
        await ProbeAsync(cluster, "probe");

        Assert.Single(await cluster.PodsAsync("never"));
    }

    [Fact]
    public async Task Dependents_get_their_args_results_after_the_args_pods_are_collected()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "8" });
        await cluster.StartOperatorAsync();
        await using var kubelet = new TestKubelet(cluster, pod => new PodOutcome(FunctionOf(pod) == "x" ? "6" : FunctionOf(pod) == "y" ? "7" : "done"));

        await cluster.CreateFunctionAsync(Function("x", PodGCPolicies.OnCompletion));
        await cluster.CreateFunctionAsync(Function("y", PodGCPolicies.OnSuccess));
        await Wait.UntilAsync(async () => (await cluster.PodsAsync()).Count == 0 && (await cluster.GetFunctionAsync("y")).Status.Phase == FunctionPhases.Succeeded,
            "x and y succeeded and their pods are collected");

        // Created only now: its args' results can come from nowhere but their statuses.
        var multiply = SandboxCluster.Function("multiply", OneCpu, "x", "y");
        multiply.Spec.ExtraArgs = ["2"];
        await cluster.CreateFunctionAsync(multiply);
        await cluster.WaitForPhaseAsync("multiply", FunctionPhases.Succeeded);

        var pod = Assert.Single(await cluster.PodsAsync("multiply"));
        Assert.Equal(["6", "7", "2"], SandboxCluster.ArgsOf(pod));
        Assert.Equal("6", pod.Spec.Containers[0].Env.Single(e => e.Name == "HANDOFF_ARG_0").Value);
    }

    [Fact]
    public async Task The_TTL_deletes_a_finished_function_and_its_pods_once_it_passed_on_the_operators_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "8" });
        await cluster.StartOperatorAsync(time: time);
        await using var kubelet = new TestKubelet(cluster, _ => new PodOutcome("42"));

        await cluster.CreateFunctionAsync(Function("short", ttl: 60));
        await cluster.CreateFunctionAsync(Function("kept"));
        var done = await cluster.WaitForPhaseAsync("short", FunctionPhases.Succeeded);
        var expiry = new DateTimeOffset(DateTime.SpecifyKind(done.Status.CompletionTime!.Value, DateTimeKind.Utc)).AddSeconds(60);

        // Just before: a pass runs (the probe is placed) and the function stays.
        time.Advance(expiry - time.GetUtcNow() - TimeSpan.FromSeconds(2));
        await ProbeAsync(cluster, "probe");
        Assert.True(await ExistsAsync(cluster, "short"));

        // Once it passed, the pass the operator scheduled for the expiry deletes it; the garbage collector takes its pod.
        time.Advance(TimeSpan.FromSeconds(3));
        await Wait.UntilAsync(async () => !await ExistsAsync(cluster, "short"), "short is deleted after its TTL");
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("short")).Count == 0, "short's pod goes with it");
        Assert.True(await ExistsAsync(cluster, "kept"));
        Assert.Single(await cluster.PodsAsync("kept"));
    }

    [Fact]
    public async Task A_finished_function_is_kept_past_its_TTL_while_an_unfinished_dependent_needs_its_result()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "8" });
        await cluster.StartOperatorAsync(new OperatorOptions { DefaultTtlSecondsAfterFinished = 10, DefaultPodGC = PodGCPolicies.OnCompletion }, time);
        var gateOpen = false;
        var handed = new System.Collections.Concurrent.ConcurrentDictionary<string, string[]>(StringComparer.Ordinal);
        await using var kubelet = new TestKubelet(cluster, pod =>
        {
            handed[pod.Metadata.Name] = SandboxCluster.ArgsOf(pod);
            return FunctionOf(pod) switch
            {
                "source" => new PodOutcome("s"),
                "gate" => Volatile.Read(ref gateOpen) ? new PodOutcome("g") : null,
                _ => new PodOutcome("done"),
            };
        });

        await cluster.CreateFunctionAsync(Function("source"));
        await cluster.CreateFunctionAsync(Function("gate"));
        await cluster.CreateFunctionAsync(Function("consumer", null, 86_400, "source", "gate"));
        await cluster.WaitForPhaseAsync("source", FunctionPhases.Succeeded);
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("source")).Count == 0, "source's pod is collected");

        time.Advance(TimeSpan.FromMinutes(5));
        await ProbeAsync(cluster, "probe");
        Assert.True(await ExistsAsync(cluster, "source"), "source is kept: consumer still waits for it");
        Assert.Equal(FunctionPhases.Waiting, (await cluster.GetFunctionAsync("consumer")).Status.Phase);

        Volatile.Write(ref gateOpen, true);
        await cluster.WaitForPhaseAsync("consumer", FunctionPhases.Succeeded);
        Assert.Equal(["s", "g"], handed["consumer-1"]);

        // The consumer finished: nothing needs source any more, and its TTL passed long ago.
        time.Advance(TimeSpan.FromMinutes(1));
        await Wait.UntilAsync(async () => !await ExistsAsync(cluster, "source"), "source is deleted once consumer finished");
    }

    [Fact]
    public async Task Collected_functions_are_not_run_again_by_a_new_operator()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"]);
        await cluster.CreateNodeAsync("n1", new Dictionary<string, string> { ["cpu"] = "8" });
        var first = await cluster.StartOperatorAsync(new OperatorOptions { DefaultPodGC = PodGCPolicies.OnCompletion });
        await using var kubelet = new TestKubelet(cluster, pod => FunctionOf(pod) == "bad" ? new PodOutcome("boom", ExitCode: 1) : new PodOutcome("42"));

        await cluster.CreateFunctionAsync(Function("good"));
        var bad = Function("bad");
        bad.Spec.MaxRetries = 0;
        await cluster.CreateFunctionAsync(bad);
        await cluster.WaitForPhaseAsync("bad", FunctionPhases.Failed);
        await Wait.UntilAsync(async () => (await cluster.PodsAsync()).Count == 0 && (await cluster.GetFunctionAsync("good")).Status.Phase == FunctionPhases.Succeeded,
            "both pods are collected");
        await cluster.StopOperatorAsync(first);

        await cluster.StartOperatorAsync(new OperatorOptions { DefaultPodGC = PodGCPolicies.OnCompletion });
        await ProbeAsync(cluster, "probe");
        await ProbeAsync(cluster, "probe-2");

        var good = await cluster.GetFunctionAsync("good");
        Assert.Equal((FunctionPhases.Succeeded, "42", 1), (good.Status.Phase, good.Status.Result, good.Status.Attempts));
        var failed = await cluster.GetFunctionAsync("bad");
        Assert.Equal((FunctionPhases.Failed, 1), (failed.Status.Phase, failed.Status.Attempts));
        Assert.Equal(["probe-1", "probe-2-1"], kubelet.Finished.Keys.Where(k => k.StartsWith("probe", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(["bad-1", "good-1"], kubelet.Finished.Keys.Where(k => !k.StartsWith("probe", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }
}
