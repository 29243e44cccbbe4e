using System.Text;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using static Handoff.Operator.Tests.Scenarios.Queues.QueueCluster;

namespace Handoff.Operator.Tests.Scenarios.Queues;

/// <summary>
/// api.md, "Queues", rules 1 and 2 on the sandbox: quota with cohort borrowing, priority order, StrictFIFO, the queue's
/// status and the Pending messages.
/// </summary>
public sealed class QueueAdmissionTests
{
    [Fact]
    public async Task Quota_holds_and_a_queue_borrows_what_its_cohort_leaves_unused_up_to_its_limit()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("16"));
        await cluster.CreateQueueAsync("team-a", new HandoffQueueSpec { Quota = Cpu("4"), Cohort = "research", BorrowingLimit = Cpu("2") });
        await cluster.CreateQueueAsync("team-b", new HandoffQueueSpec { Quota = Cpu("4"), Cohort = "research" });
        await cluster.StartOperatorAsync();
        for (var i = 0; i < 7; i++)
        {
            await cluster.CreateFunctionAsync(Function($"a{i}", "1", queue: "team-a"));
        }

        // 4 within quota + 2 borrowed from team-b's unused 4; the seventh waits, told why and where it stands.
        var queue = await cluster.WaitForQueueAsync("team-a", q => q.Status?.Admitted == 6 && q.Status.Pending == 1, "admits 6 and keeps 1 pending");
        Assert.Equal(("6", "2"), (queue.Status.Usage!["cpu"], queue.Status.Borrowed!["cpu"]));
        Assert.Equal(("Active", "True"), (queue.Status.Conditions!.Single().Type, queue.Status.Conditions!.Single().Status));
        var pending = (await cluster.ListFunctionsAsync()).Single(f => f.Status?.Phase == "Pending");
        Assert.Equal(Reasons.QuotaExceeded, pending.Status.Conditions!.Single(c => c.Type == "Scheduled").Reason);
        Assert.Equal("queue team-a: quota exceeded for cpu: 6 of 4 in use, needs 1; may borrow at most 2 (borrowingLimit) (position 1 in queue team-a)", pending.Status.Message);
        Assert.Equal(1, pending.Status.QueuePosition);
        Assert.Equal(6, (await cluster.PodsAsync()).Count);

        // A QuotaExceeded Event once the state lasted beyond one pass.
        await Wait.ForAsync(
            async () => (await cluster.EventsAsync()).FirstOrDefault(e => e.Reason == Reasons.QuotaExceeded && e.InvolvedObject.Name == pending.Metadata.Name),
            e => e is not null, "a QuotaExceeded Event");

        // team-b's own quota stays guaranteed: it is admitted within it although team-a borrows.
        for (var i = 0; i < 2; i++)
        {
            await cluster.CreateFunctionAsync(Function($"b{i}", "1", queue: "team-b"));
        }

        await cluster.WaitForQueueAsync("team-b", q => q.Status?.Admitted == 2, "admits its 2");
    }

    [Fact]
    public async Task Higher_priority_goes_first_and_a_PriorityClass_gives_the_priority()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.CreatePriorityClassAsync("urgent", 1000);
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(Function("blocker", "2", priority: 5000, runs: "2s"));
        await cluster.WaitForPhaseAsync("blocker", "Running");
        await cluster.CreateFunctionAsync(Function("low", "2", priority: 1, mayPreempt: false));
        await cluster.CreateFunctionAsync(Function("high", "2", priorityClass: "urgent", mayPreempt: false));
        await cluster.CreateFunctionAsync(Function("unknown", "1", priorityClass: "no-such-class"));

        // Created later, high goes first when the blocker ends.
        await cluster.WaitForPhaseAsync("high", "Running");
        var low = await cluster.GetFunctionAsync("low");
        Assert.Equal("Pending", low.Status.Phase);
        var unknown = await cluster.WaitForFunctionAsync("unknown", f => f.Status?.Conditions?.Any(c => c.Reason == Reasons.UnknownPriorityClass) == true, "waits for its class");
        Assert.Contains("no-such-class", unknown.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_StrictFIFO_head_that_does_not_fit_blocks_everything_behind_it()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("4"));
        await cluster.CreateQueueAsync("strict", new HandoffQueueSpec { QueueingStrategy = QueueingStrategies.StrictFIFO });
        await cluster.CreateQueueAsync("loose", new HandoffQueueSpec());
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(Function("hold", "2", priority: 100));
        await cluster.WaitForPhaseAsync("hold", "Running");
        await cluster.CreateFunctionAsync(Function("big", "3", queue: "strict", mayPreempt: false));
        await cluster.WaitForPhaseAsync("big", "Pending");
        await cluster.CreateFunctionAsync(Function("small", "1", queue: "strict"));
        await cluster.CreateFunctionAsync(Function("other", "1", queue: "loose"));

        var small = await cluster.WaitForFunctionAsync("small", f => f.Status?.Conditions?.Any(c => c.Reason == Reasons.BlockedByQueueHead) == true, "is blocked by its head");
        Assert.Equal(2, small.Status.QueuePosition);
        Assert.Contains("big", small.Status.Message, StringComparison.Ordinal);

        // Another queue is not blocked; nor is a best-effort one.
        await cluster.WaitForPhaseAsync("other", "Running");
        var strict = await cluster.WaitForQueueAsync("strict", q => q.Status?.Pending == 2, "has 2 pending");
        Assert.Equal(0, strict.Status.Admitted);
    }

    [Fact]
    public async Task An_invalid_queue_is_inactive_and_its_functions_wait_with_the_reason()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("4"));
        await cluster.CreateQueueAsync("closed", new HandoffQueueSpec
        {
            NamespaceSelector = new k8s.Models.V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "nobody" } },
        });
        await cluster.StartOperatorAsync();
        await cluster.CreateFunctionAsync(Function("f", "1", queue: "closed"));
        await cluster.CreateFunctionAsync(Function("g", "1", queue: "missing"));

        var f = await cluster.WaitForFunctionAsync("f", x => x.Status?.Conditions?.Any(c => c.Reason == Reasons.NamespaceNotAllowed) == true, "is not allowed");
        Assert.Equal("Pending", f.Status.Phase);
        await cluster.WaitForFunctionAsync("g", x => x.Status?.Conditions?.Any(c => c.Reason == Reasons.UnknownQueue) == true, "names an unknown queue");
        await cluster.WaitForQueueAsync("closed", q => q.Status?.Pending == 1 && q.Status.Conditions?.Single().Status == "True", "counts it pending");
    }

    [Fact]
    public async Task Per_queue_gauges_follow_the_queue_and_preemptions_are_counted_by_the_victims_queue()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.CreateQueueAsync("batch", new HandoffQueueSpec { Quota = Cpu("2") });
        var op = await cluster.StartOperatorAsync();
        var metrics = op.Services.GetRequiredService<OperatorMetrics>();
        async Task<string> ExportAsync()
        {
            using var stream = new MemoryStream();
            await metrics.ExportAsync(stream, cancellationToken: Ct);
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        await cluster.CreateFunctionAsync(Function("low", "2", queue: "batch", priority: 1));
        await cluster.WaitForPhaseAsync("low", "Running");
        await cluster.CreateFunctionAsync(Function("also-low", "1", queue: "batch", priority: 1));
        await Wait.UntilAsync(
            async () => await ExportAsync() is var text && text.Contains("handoff_queue_admitted{queue=\"batch\"} 1", StringComparison.Ordinal)
                && text.Contains("handoff_queue_pending{queue=\"batch\"} 1", StringComparison.Ordinal)
                && text.Contains("handoff_queue_usage{queue=\"batch\",resource=\"cpu\"} 2", StringComparison.Ordinal),
            "batch's gauges: 1 admitted holding 2 cpus, 1 pending");

        await cluster.CreateFunctionAsync(Function("urgent", "2", priority: 100, runs: "1s"));
        await Wait.UntilAsync(async () => (await ExportAsync()).Contains("handoff_queue_preemptions_total{queue=\"batch\"} 1", StringComparison.Ordinal), "one preemption in batch");
        await cluster.WaitForPhaseAsync("urgent", "Succeeded", TimeSpan.FromSeconds(30));

        await cluster.Client.CustomObjects.DeleteClusterCustomObjectAsync(HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, "batch", cancellationToken: Ct);
        await Wait.UntilAsync(async () => !(await ExportAsync()).Contains("handoff_queue_admitted{queue=\"batch\"}", StringComparison.Ordinal), "batch's gauges are removed");
    }

    [Fact]
    public async Task Queue_series_left_by_an_earlier_term_are_cleaned_up_and_a_resource_no_longer_used_drops_to_0()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("2"));
        await cluster.CreateQueueAsync("kept", new HandoffQueueSpec { Quota = Cpu("2") });
        var op = await cluster.StartOperatorAsync();
        var metrics = op.Services.GetRequiredService<OperatorMetrics>();

        // What a term that lost its leadership before the next pass could have left: a queue deleted since, and a
        // resource the kept queue no longer uses. The next leader never set them.
        metrics.QueuePending.WithLabels("deleted-meanwhile").Set(3);
        metrics.QueueAdmitted.WithLabels("deleted-meanwhile").Set(1);
        metrics.QueueUsage.WithLabels("deleted-meanwhile", "cpu").Set(2);
        metrics.QueueUsage.WithLabels("kept", "nvidia.com/gpu").Set(1);
        await cluster.CreateFunctionAsync(Function("f", "1", queue: "kept")); // a pass

        await Wait.UntilAsync(
            () => Task.FromResult(
                metrics.QueuePending.GetAllLabelValues().All(l => l[0] != "deleted-meanwhile")
                && metrics.QueueAdmitted.GetAllLabelValues().All(l => l[0] != "deleted-meanwhile")
                && metrics.QueueUsage.GetAllLabelValues().All(l => l[0] != "deleted-meanwhile")),
            "the deleted queue's series are gone");
        Assert.Equal(0, metrics.QueueUsage.WithLabels("kept", "nvidia.com/gpu").Value);
        Assert.Contains(metrics.QueuePending.GetAllLabelValues(), l => l[0] == "kept");
    }

    [Fact]
    public async Task Deleting_a_queue_whose_functions_run_loses_nothing_and_scheduling_goes_on()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("4"));
        await cluster.CreateQueueAsync("batch", new HandoffQueueSpec { Quota = Cpu("2") });
        var op = await cluster.StartOperatorAsync();
        var metrics = op.Services.GetRequiredService<OperatorMetrics>();
        await cluster.CreateFunctionAsync(Function("running", "2", queue: "batch"));
        await cluster.CreateFunctionAsync(Function("waiting", "1", queue: "batch"));
        await cluster.WaitForPhaseAsync("running", "Running");

        await cluster.Client.CustomObjects.DeleteClusterCustomObjectAsync(HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, "batch", cancellationToken: Ct);
        await cluster.CreateFunctionAsync(Function("probe", "1", runs: "0s"));

        await cluster.WaitForPhaseAsync("probe", "Succeeded");
        await Wait.UntilAsync(
            () => Task.FromResult(metrics.QueueAdmitted.GetAllLabelValues().All(l => l[0] != "batch")), "batch's gauges are removed");
        Assert.Equal("Running", (await cluster.GetFunctionAsync("running")).Status.Phase);
        await cluster.WaitForFunctionAsync("waiting", f => f.Status?.Conditions?.Any(c => c.Reason == Reasons.UnknownQueue) == true, "names an unknown queue now");
    }

    [Fact]
    public async Task A_status_write_answered_after_the_queue_was_deleted_does_not_bring_it_back()
    {
        await using var cluster = await SandboxCluster.StartAsync(["n1"], simulateKubelet: true);
        await cluster.CreateNodeAsync("n1", Cpu("4"));
        await cluster.CreateQueueAsync("batch", new HandoffQueueSpec { Quota = Cpu("2") });
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var op = await cluster.StartOperatorAsync(handlers: () => [new HeldQueueStatusAnswers(answered, release.Task)]);
        var metrics = op.Services.GetRequiredService<OperatorMetrics>();
        await cluster.CreateFunctionAsync(Function("f", "1", queue: "batch"));

        // The API server has written the queue's status; its answer is held until the deletion was seen by the watch.
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await cluster.Client.CustomObjects.DeleteClusterCustomObjectAsync(HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, "batch", cancellationToken: Ct);
        await Wait.UntilAsync(() => Task.FromResult(op.Operator.Queues.Cache.Get("batch") is null), "the watch has seen the deletion");
        release.SetResult();

        // Before, the late answer put the deleted queue back in the cache: its gauges and status writes went on forever.
        await Wait.UntilAsync(
            () => Task.FromResult(metrics.QueueAdmitted.GetAllLabelValues().All(l => l[0] != "batch")), "batch's gauges are removed");
        await cluster.CreateFunctionAsync(Function("probe", "1", runs: "0s"));
        await cluster.WaitForPhaseAsync("probe", "Succeeded");
        Assert.DoesNotContain(metrics.QueueAdmitted.GetAllLabelValues(), l => l[0] == "batch");
        Assert.Null(op.Operator.Queues.Cache.Get("batch"));
    }

    /// <summary>Holds the answers to HandoffQueue status patches (after the server applied them) until released; signals the first.</summary>
    private sealed class HeldQueueStatusAnswers(TaskCompletionSource answered, Task release) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Patch && request.RequestUri!.AbsolutePath.EndsWith("/status", StringComparison.Ordinal)
                && request.RequestUri.AbsolutePath.Contains("/" + HandoffApi.QueuePlural + "/", StringComparison.Ordinal))
            {
                answered.TrySetResult();
                await release.WaitAsync(cancellationToken);
            }

            return response;
        }
    }
}
