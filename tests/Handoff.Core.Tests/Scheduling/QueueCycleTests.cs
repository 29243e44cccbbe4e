using Handoff.Core.Lifecycle;
using static Handoff.Core.Tests.Scheduling.QueueCycleBuilder;

namespace Handoff.Core.Tests.Scheduling;

/// <summary>api.md, "Queues, priorities, gangs, preemption": rules 1 (order) and 2 (quota), one behaviour per test.</summary>
public sealed class QueueCycleTests
{
    [Fact]
    public void Higher_priority_goes_first_whatever_the_ready_time()
    {
        var cluster = new QueueCycleBuilder().Node("a", "1");
        var result = cluster.Run(W("old-low", "1", readyAfter: 0), W("new-high", "1", priority: 10, readyAfter: 60));
        Assert.Equal("new-high", Assert.Single(result.Placed).Workload.Id);
        Assert.Equal("old-low", Assert.Single(result.Unplaced).Workload.Id);
    }

    [Fact]
    public void Within_a_priority_the_queue_with_the_lowest_weighted_dominant_share_goes_next()
    {
        // Cluster of 12 cpu, no quotas: shares are usage/12 divided by the weight; b weighs 2, so it gets two for a's one.
        var cluster = new QueueCycleBuilder().Node("n", "12").Queue("a").Queue("b", weight: "2");
        var pending = Enumerable.Range(0, 4).SelectMany(i => new[] { W($"a{i}", "1", queue: "a", readyAfter: i), W($"b{i}", "1", queue: "b", readyAfter: i) }).ToArray();
        var result = cluster.Run(pending);
        Assert.Equal(["a0", "b0", "b1", "a1", "b2", "b3", "a2", "a3"], result.Placed.Select(p => p.Workload.Id));
    }

    [Fact]
    public void Fair_share_starts_from_what_each_queue_already_holds()
    {
        var cluster = new QueueCycleBuilder().Node("n", "4").Queue("a").Queue("b").Running("a-old", "n", "2", queue: "a");
        var result = cluster.Run(W("a1", "1", queue: "a"), W("b1", "1", queue: "b", readyAfter: 5), W("b2", "1", queue: "b", readyAfter: 6));
        Assert.Equal(["b1", "b2"], result.Placed.Select(p => p.Workload.Id));
        Assert.Equal("a1", Assert.Single(result.Unplaced).Workload.Id);
    }

    [Fact]
    public void Within_a_queue_workloads_go_by_ready_time()
    {
        var cluster = new QueueCycleBuilder().Node("n", "1").Queue("a");
        var result = cluster.Run(W("z-first", "1", queue: "a", readyAfter: 1), W("a-second", "1", queue: "a", readyAfter: 2));
        Assert.Equal("z-first", Assert.Single(result.Placed).Workload.Id);
    }

    [Fact]
    public void Quota_exceeded_is_pending_with_the_queue_the_resource_usage_quota_need_and_position()
    {
        var cluster = new QueueCycleBuilder().Node("n", "64").Queue("team-a", cpuQuota: "16").Running("held", "n", "16", queue: "team-a");
        var result = cluster.Run(W("f1", "2", queue: "team-a", readyAfter: 1), W("f2", "2", queue: "team-a", readyAfter: 2));
        Assert.Empty(result.Placed);
        Assert.All(result.Unplaced, u => Assert.Equal(Reasons.QuotaExceeded, u.Reason));
        Assert.Equal("queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 2 (position 1 in queue team-a)", result.Unplaced[0].Message);
        Assert.Equal("queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 2", result.Unplaced[0].Cause);
        Assert.Equal(2, result.Unplaced[1].Position);
        var usage = Assert.Single(result.Queues);
        Assert.Equal((2, 1, 16_000L), (usage.Pending, usage.Admitted, usage.Usage["cpu"]));
    }

    [Fact]
    public void A_queue_borrows_what_its_cohort_leaves_unused_within_its_borrowing_limit()
    {
        var cluster = new QueueCycleBuilder().Node("n", "64")
            .Queue("a", cpuQuota: "4", cohort: "research", borrowCpu: "2")
            .Queue("b", cpuQuota: "8", cohort: "research");
        var result = cluster.Run(W("a1", "4", queue: "a", readyAfter: 1), W("a2", "2", queue: "a", readyAfter: 2), W("a3", "1", queue: "a", readyAfter: 3));
        Assert.Equal(["a1", "a2"], result.Placed.Select(p => p.Workload.Id));
        var a3 = Assert.Single(result.Unplaced);
        Assert.Equal("queue a: quota exceeded for cpu: 6 of 4 in use, needs 1; may borrow at most 2 (borrowingLimit) (position 1 in queue a)", a3.Message);
        Assert.Equal(2000, result.Queues.Single(q => q.Queue == "a").Borrowed["cpu"]);
    }

    [Fact]
    public void Without_a_cohort_nothing_is_borrowed()
    {
        var cluster = new QueueCycleBuilder().Node("n", "64").Queue("a", cpuQuota: "4").Queue("b", cpuQuota: "8");
        var result = cluster.Run(W("a1", "5", queue: "a"));
        Assert.Equal(Reasons.QuotaExceeded, Assert.Single(result.Unplaced).Reason);
    }

    [Fact]
    public void BestEffortFIFO_skips_what_does_not_fit_and_StrictFIFO_blocks_behind_its_head()
    {
        var bestEffort = new QueueCycleBuilder().Node("n", "2").Queue("q");
        Assert.Equal("small", Assert.Single(bestEffort.Run(W("big", "4", queue: "q", readyAfter: 1), W("small", "1", queue: "q", readyAfter: 2)).Placed).Workload.Id);

        var strict = new QueueCycleBuilder().Node("n", "2").Queue("q", strict: true).Queue("other");
        var result = strict.Run(W("big", "4", queue: "q", readyAfter: 1), W("small", "1", queue: "q", readyAfter: 2), W("elsewhere", "1", queue: "other", readyAfter: 3));
        Assert.Equal("elsewhere", Assert.Single(result.Placed).Workload.Id);
        var blocked = result.Unplaced.Single(u => u.Workload.Id == "small");
        Assert.Equal(Reasons.BlockedByQueueHead, blocked.Reason);
        Assert.Equal("queue q is StrictFIFO and its head big does not fit yet (position 2 in queue q)", blocked.Message);
    }

    [Fact]
    public void A_StrictFIFO_head_over_quota_blocks_the_queue_too()
    {
        var cluster = new QueueCycleBuilder().Node("n", "8").Queue("q", cpuQuota: "2", strict: true);
        var result = cluster.Run(W("head", "3", queue: "q", readyAfter: 1), W("next", "1", queue: "q", readyAfter: 2));
        Assert.Empty(result.Placed);
        Assert.Equal([Reasons.QuotaExceeded, Reasons.BlockedByQueueHead], result.Unplaced.Select(u => u.Reason));
    }

    [Fact]
    public void Workloads_without_a_queue_form_an_implicit_queue_without_positions()
    {
        var cluster = new QueueCycleBuilder().Node("n", "1");
        var result = cluster.Run(W("f1", "1"), W("f2", "1", readyAfter: 1));
        var f2 = Assert.Single(result.Unplaced);
        Assert.Null(f2.Position);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu.", f2.Message);
        Assert.Empty(result.Queues);
    }
}
