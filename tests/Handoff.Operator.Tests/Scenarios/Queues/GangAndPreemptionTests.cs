using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Controllers;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using static Handoff.Operator.Tests.Scenarios.Queues.QueueCluster;

namespace Handoff.Operator.Tests.Scenarios.Queues;

/// <summary>
/// api.md, "Queues", rules 3 and 4 on the sandbox: gangs placed whole or not at all, preemption (victims' pods deleted,
/// victims placed again without using up an attempt), and a restart in the middle of either.
/// </summary>
public sealed class GangAndPreemptionTests
{
    private static HandoffGang Train(int minMembers) => new() { Name = "train", MinMembers = minMembers };

    [Fact]
    public async Task A_gang_that_does_not_fit_whole_holds_nothing_and_says_how_many_fit()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.CreateNodeAsync("n2", Cpu("2"));
        await cluster.StartOperatorAsync();

        // 5 members of 1 cpu on 4 cpus: none is placed.
        for (var i = 0; i < 5; i++)
        {
            await cluster.CreateFunctionAsync(Function($"w{i}", "1", gang: Train(5), runs: "300ms"));
        }

        // (While members are still being created it says "gang train: 3 of 5 members ready".)
        var waiting = await cluster.WaitForFunctionAsync(
            "w0", f => f.Status?.Message?.StartsWith("gang train: 4 of 5 members fit", StringComparison.Ordinal) == true, "says how many fit");
        Assert.Equal("Pending", waiting.Status.Phase);
        Assert.Empty(await cluster.PodsAsync());
    }

    [Fact]
    public async Task A_gang_that_fits_is_placed_whole_across_nodes()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1", "n2"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.CreateNodeAsync("n2", Cpu("2"));
        await using var auditor = new BindingAuditor(cluster, new Dictionary<string, long> { ["n1"] = 2000, ["n2"] = 2000 }, _ => 1000);
        await cluster.StartOperatorAsync();
        for (var i = 0; i < 4; i++)
        {
            await cluster.CreateFunctionAsync(Function($"w{i}", "1", gang: Train(4), runs: "300ms"));
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(1, (await cluster.WaitForPhaseAsync($"w{i}", "Succeeded")).Status.Attempts);
        }

        var pods = await cluster.PodsAsync();
        Assert.Equal(4, pods.Count);
        Assert.Equal(2, pods.Select(p => p.Spec.NodeName).Distinct().Count());
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task Preemption_deletes_the_victims_pod_and_the_victim_runs_again_later_under_the_same_attempt()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.CreateQueueAsync("batch", new HandoffQueueSpec());
        await using var auditor = new BindingAuditor(cluster, new Dictionary<string, long> { ["n1"] = 2000 }, f => f == "urgent" ? 2000 : 1000);
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(Function("low-a", "1", queue: "batch", priority: 1, runs: "1s"));
        await cluster.CreateFunctionAsync(Function("low-b", "1", queue: "batch", priority: 2, runs: "1s"));
        await cluster.WaitForPhaseAsync("low-a", "Running");
        await cluster.WaitForPhaseAsync("low-b", "Running");
        var victimPods = (await cluster.PodsAsync()).Select(p => p.Metadata.Uid).ToHashSet();

        await cluster.CreateFunctionAsync(Function("urgent", "2", priority: 1000, runs: "1s"));
        await cluster.WaitForPhaseAsync("urgent", "Running");

        // Both victims' pods were deleted; each went back to Pending (Preempted) and then ran again, attempt 1 still.
        var low = await cluster.WaitForPhaseAsync("low-a", "Succeeded", TimeSpan.FromSeconds(30));
        Assert.Equal(1, low.Status.Attempts);
        Assert.Equal(1, (await cluster.WaitForPhaseAsync("low-b", "Succeeded", TimeSpan.FromSeconds(30))).Status.Attempts);
        var events = await cluster.EventsAsync();
        var preempted = events.Where(e => e.Reason == Reasons.Preempted).Select(e => e.InvolvedObject.Name).ToHashSet();
        Assert.Equal(["low-a", "low-b"], preempted.Order());
        Assert.Contains("preempted by", events.First(e => e.Reason == Reasons.Preempted).Message, StringComparison.Ordinal);
        Assert.All((await cluster.PodsAsync()).Where(p => victimPods.Contains(p.Metadata.Uid)), p => Assert.NotNull(p.Metadata.DeletionTimestamp));
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task Nothing_is_evicted_for_a_function_that_would_still_not_fit_nor_by_one_that_may_not_preempt()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(Function("low", "1", priority: 1));
        await cluster.CreateFunctionAsync(Function("equal", "1", priority: 5));
        await cluster.WaitForPhaseAsync("low", "Running");
        await cluster.WaitForPhaseAsync("equal", "Running");
        await cluster.CreateFunctionAsync(Function("too-big", "3", priority: 1000));
        await cluster.CreateFunctionAsync(Function("polite", "1", priority: 1000, mayPreempt: false));
        await cluster.CreateFunctionAsync(Function("peer", "2", priority: 5));

        await cluster.WaitForPhaseAsync("too-big", "Pending");
        await cluster.WaitForPhaseAsync("polite", "Pending");
        await cluster.WaitForPhaseAsync("peer", "Pending");
        await Wait.UntilAsync(async () => (await cluster.GetFunctionAsync("peer")).Status?.Message is not null, "peer has a message");
        Assert.Equal("Running", (await cluster.GetFunctionAsync("low")).Status.Phase);
        Assert.Equal("Running", (await cluster.GetFunctionAsync("equal")).Status.Phase);
        Assert.DoesNotContain(await cluster.EventsAsync(), e => e.Reason == Reasons.Preempted);
    }

    [Fact]
    public async Task After_a_restart_in_the_middle_of_a_gang_placement_the_partial_gang_holds_nothing()
    {
        // What a crash leaves: two of a three-member gang's pods created (holding capacity, not bound), the third not.
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await using var auditor = new BindingAuditor(cluster, new Dictionary<string, long> { ["n1"] = 2000 }, _ => 1000);
        var members = new List<HandoffFunction>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await cluster.CreateFunctionAsync(Function($"w{i}", "1", gang: Train(3), runs: "300ms")));
        }

        foreach (var f in members.Take(2))
        {
            var created = await cluster.GetFunctionAsync(f.Metadata.Name);
            var pod = FunctionPods.Build(created, HandoffMapper.ToFunction(created), FunctionPods.PodName(f.Metadata.Name, 1), 1, "n1", HandoffApi.DefaultSchedulerName, []);
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, cluster.Namespace, cancellationToken: Ct);
        }

        // The gang cannot be whole on 2 cpus: the operator deletes the two unbound pods and binds nothing.
        await cluster.StartOperatorAsync();
        await Wait.UntilAsync(async () => (await cluster.PodsAsync()).All(p => p.Metadata.DeletionTimestamp is not null), "the partial gang's pods are deleted");
        var w0 = await cluster.WaitForFunctionAsync("w0", f => f.Status?.Message?.StartsWith("gang train: 2 of 3 members fit", StringComparison.Ordinal) == true, "says how many fit");
        Assert.Equal(0, w0.Status.Attempts);
        Assert.All(await cluster.PodsAsync(), p => Assert.True(string.IsNullOrEmpty(p.Spec.NodeName)));
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task After_a_restart_in_the_middle_of_a_gang_placement_a_gang_that_can_be_whole_is_completed_once()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("3"));
        await using var auditor = new BindingAuditor(cluster, new Dictionary<string, long> { ["n1"] = 3000 }, _ => 1000);
        for (var i = 0; i < 3; i++)
        {
            await cluster.CreateFunctionAsync(Function($"w{i}", "1", gang: Train(3), runs: "300ms"));
        }

        foreach (var name in new[] { "w0", "w1" })
        {
            var created = await cluster.GetFunctionAsync(name);
            var pod = FunctionPods.Build(created, HandoffMapper.ToFunction(created), FunctionPods.PodName(name, 1), 1, "n1", HandoffApi.DefaultSchedulerName, []);
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, cluster.Namespace, cancellationToken: Ct);
        }

        await cluster.StartOperatorAsync();
        for (var i = 0; i < 3; i++)
        {
            var done = await cluster.WaitForPhaseAsync($"w{i}", "Succeeded");
            Assert.Equal(1, done.Status.Attempts);
        }

        // One pod per member: the two left by the crash were bound, not made again; capacity was never held twice.
        Assert.Equal(3, (await cluster.PodsAsync()).Count);
        Assert.Empty(auditor.Violations);
    }

    [Fact]
    public async Task After_a_restart_between_a_victims_status_and_its_pods_deletion_the_pod_is_deleted_and_the_attempt_kept()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await using var auditor = new BindingAuditor(cluster, new Dictionary<string, long> { ["n1"] = 2000 }, _ => 2000);
        var first = await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(Function("low", "2", priority: 1, runs: "1s"));
        var running = await cluster.WaitForPhaseAsync("low", "Running");
        await cluster.StopOperatorAsync(first);

        // What a crash right after the victim's status write leaves: Pending/Preempted, its pod still running.
        var status = running.Status;
        status.Phase = "Pending";
        status.Message = "preempted by x/urgent (priority 1000) to make room on n1";
        foreach (var c in status.Conditions!.Where(c => c.Type == "Scheduled"))
        {
            (c.Status, c.Reason, c.Message) = ("False", Reasons.Preempted, status.Message);
        }

        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new k8s.Models.V1Patch(KubernetesJson.Serialize(new { status }), k8s.Models.V1Patch.PatchType.MergePatch),
            HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, "low", cancellationToken: Ct);
        await cluster.CreateFunctionAsync(Function("urgent", "2", priority: 1000, runs: "1s"));

        await cluster.StartOperatorAsync();
        await cluster.WaitForPhaseAsync("urgent", "Succeeded", TimeSpan.FromSeconds(30));
        var low = await cluster.WaitForPhaseAsync("low", "Succeeded", TimeSpan.FromSeconds(30));
        Assert.Equal(1, low.Status.Attempts);
        Assert.Empty(auditor.Violations);
    }
}
