using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;
using static Handoff.Core.Tests.Scheduling.QueueCycleBuilder;

namespace Handoff.Core.Tests.Scheduling;

/// <summary>api.md, "Queues", rule 4: preemption.</summary>
public sealed class PreemptionCycleTests
{
    [Fact]
    public void The_fewest_lowest_priority_victims_on_the_first_node_where_that_makes_room()
    {
        var cluster = new QueueCycleBuilder().Node("a", "4").Node("b", "4")
            .Running("low-1", "a", "1", priority: 1).Running("low-2", "a", "1", priority: 1).Running("mid", "a", "2", priority: 5)
            .Running("b-1", "b", "4", priority: 1);
        var result = cluster.Run(W("urgent", "2", priority: 10));
        var preemption = Assert.Single(result.Preemptions);
        Assert.Equal("a", preemption.Node);
        Assert.Equal(["low-1", "low-2"], preemption.Victims.Select(v => v.Id).Order());
        var urgent = Assert.Single(result.Unplaced);
        Assert.Equal(Reasons.Preempting, urgent.Reason);
        Assert.Equal("a", urgent.NominatedNode);
        Assert.Equal("preempting on a: evicting low-1, low-2", urgent.Message);
        Assert.Equal("preempted by urgent (priority 10) to make room on a", preemption.VictimMessage);
        Assert.Empty(result.Placed);
    }

    [Fact]
    public void Among_equal_priorities_the_larger_victim_is_evicted_rather_than_several_small_ones()
    {
        var cluster = new QueueCycleBuilder().Node("a", "4").Running("s1", "a", "1").Running("s2", "a", "1").Running("big", "a", "2");
        var result = cluster.Run(W("urgent", "2", priority: 1));
        Assert.Equal(["big"], Assert.Single(result.Preemptions).Victims.Select(v => v.Id));
    }

    [Fact]
    public void Equal_or_higher_priority_is_never_evicted_and_nothing_is_evicted_when_it_would_still_not_fit()
    {
        var cluster = new QueueCycleBuilder().Node("a", "4").Running("same", "a", "2", priority: 5).Running("low", "a", "2", priority: 1);
        var result = cluster.Run(W("wants-4", "4", priority: 5));
        Assert.Empty(result.Preemptions);
        Assert.Equal(Reasons.FailedScheduling, Assert.Single(result.Unplaced).Reason);
    }

    [Fact]
    public void PreemptionPolicy_Never_waits()
    {
        var cluster = new QueueCycleBuilder().Node("a", "1").Running("low", "a", "1");
        Assert.Empty(cluster.Run(W("polite", "1", priority: 10, mayPreempt: false)).Preemptions);
    }

    [Fact]
    public void A_gang_is_evicted_whole()
    {
        var cluster = new QueueCycleBuilder().Node("a", "2").Node("b", "2")
            .Running("g-0", "a", "2", gang: "ns/g").Running("g-1", "b", "2", gang: "ns/g");
        var result = cluster.Run(W("urgent", "1", priority: 1));
        var preemption = Assert.Single(result.Preemptions);
        Assert.Equal(["g-0", "g-1"], preemption.Victims.Select(v => v.Id).Order());
    }

    [Fact]
    public void A_preemptor_waits_for_victims_already_leaving_instead_of_evicting_more()
    {
        var cluster = new QueueCycleBuilder().Node("a", "2").Running("leaving", "a", "2", priority: 0, terminating: true).Running("other", "a", "0");
        var result = cluster.Run(W("urgent", "2", priority: 10));
        Assert.Empty(result.Preemptions);
        var urgent = Assert.Single(result.Unplaced);
        Assert.Equal((Reasons.Preempting, "a"), (urgent.Reason, urgent.NominatedNode));
        Assert.Equal("preempting on a: waiting for the evicted workloads to terminate", urgent.Message);
    }

    [Fact]
    public void Room_made_for_one_preemptor_is_not_counted_again_for_the_next()
    {
        var cluster = new QueueCycleBuilder().Node("a", "2").Node("b", "2").Running("low-a", "a", "2").Running("low-b", "b", "2");
        var result = cluster.Run(W("u1", "2", priority: 10, readyAfter: 1), W("u2", "2", priority: 10, readyAfter: 2));
        Assert.Equal([("u1", "a"), ("u2", "b")], result.Preemptions.Select(p => (p.Preemptor.Id, p.Node)));
    }

    [Fact]
    public void A_queue_within_its_quota_reclaims_from_a_borrower_of_its_cohort_whatever_its_priority()
    {
        var cluster = new QueueCycleBuilder().Node("n", "8")
            .Queue("a", cpuQuota: "4", cohort: "c").Queue("b", cpuQuota: "4", cohort: "c")
            .Running("b-own", "n", "4", priority: 9, queue: "b").Running("b-borrowed", "n", "4", priority: 9, queue: "b");
        var result = cluster.Run(W("a1", "4", priority: 0, queue: "a"));
        var preemption = Assert.Single(result.Preemptions);
        Assert.Single(preemption.Victims);
    }

    [Fact]
    public void A_gang_preempts_for_all_its_misfits_or_for_none()
    {
        var gang = new GangRef("ns/g", 2);
        var cluster = new QueueCycleBuilder().Node("a", "2").Node("b", "2").Running("low-a", "a", "2").Running("high-b", "b", "2", priority: 50);
        var result = cluster.Run(W("ns/g-0", "2", priority: 10, gang: gang), W("ns/g-1", "2", priority: 10, gang: gang, readyAfter: 1));
        Assert.Empty(result.Preemptions);
        Assert.All(result.Unplaced, u => Assert.Equal(Reasons.FailedScheduling, u.Reason));

        var room = new QueueCycleBuilder().Node("a", "2").Node("b", "2").Running("low-a", "a", "2").Running("low-b", "b", "2");
        var both = room.Run(W("ns/g-0", "2", priority: 10, gang: gang), W("ns/g-1", "2", priority: 10, gang: gang, readyAfter: 1));
        Assert.Equal(["low-a", "low-b"], both.Preemptions.SelectMany(p => p.Victims).Select(v => v.Id).Order());
        Assert.All(both.Unplaced, u => Assert.Equal(Reasons.Preempting, u.Reason));
    }

    [Fact]
    public void BestFit_preempts_where_the_score_with_the_victims_gone_is_best()
    {
        var cluster = new QueueCycleBuilder().Node("a", "8").Node("b", "4").Running("low-a", "a", "8").Running("low-b", "b", "4");
        var result = cluster.Run(W("u", "2", priority: 1, strategy: AllocationStrategy.BestFit));
        Assert.Equal("b", Assert.Single(result.Preemptions).Node);
    }

    [Fact]
    public void What_a_preemptor_waits_for_is_not_taken_by_a_workload_decided_after_it()
    {
        var cluster = new QueueCycleBuilder().Node("a", "4").Running("low", "a", "3");
        var result = cluster.Run(W("urgent", "4", priority: 10, readyAfter: 1), W("small", "1", readyAfter: 2));
        Assert.Equal(["low"], Assert.Single(result.Preemptions).Victims.Select(v => v.Id));
        Assert.Empty(result.Placed);
        Assert.Equal(Reasons.FailedScheduling, result.Unplaced.Single(u => u.Workload.Id == "small").Reason);
        Assert.Equal(1000, cluster.Tracker.Available("a")!["cpu"]);
    }
}
