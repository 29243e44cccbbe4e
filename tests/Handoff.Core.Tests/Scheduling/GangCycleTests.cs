using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;
using static Handoff.Core.Tests.Scheduling.QueueCycleBuilder;

namespace Handoff.Core.Tests.Scheduling;

/// <summary>api.md, "Queues", rule 3: gangs are placed all together or not at all.</summary>
public sealed class GangCycleTests
{
    private static readonly GangRef Train = new("ns/train", 4);

    private static Workload[] Members(int count, string cpu = "1", GangRef? gang = null) =>
        [.. Enumerable.Range(0, count).Select(i => W($"ns/train-{i}", cpu, gang: gang ?? Train, readyAfter: i))];

    [Fact]
    public void A_gang_that_fits_is_placed_whole_in_one_step()
    {
        var cluster = new QueueCycleBuilder().Node("a", "2").Node("b", "2");
        var result = cluster.Run(Members(4));
        Assert.Equal(4, result.Placed.Count);
        Assert.Equal(4, cluster.Tracker.Allocations().Count);
    }

    [Fact]
    public void A_gang_that_does_not_fit_holds_nothing_and_says_how_many_fit()
    {
        var cluster = new QueueCycleBuilder().Node("a", "2").Node("b", "1");
        var result = cluster.Run([.. Members(4), W("ns/after", "1", readyAfter: 10)]);
        Assert.Equal("ns/after", Assert.Single(result.Placed).Workload.Id);
        var members = result.Unplaced.Where(u => u.Workload.Gang is not null).ToList();
        Assert.Equal(4, members.Count);
        Assert.All(members, m => Assert.Equal(Reasons.FailedScheduling, m.Reason));
        Assert.StartsWith("gang train: 3 of 4 members fit (train-3: 0/2 nodes are available: 2 Insufficient cpu.)", members[0].Message);
        Assert.Equal(["ns/after"], cluster.Tracker.Allocations().Select(a => a.Holder));
    }

    [Fact]
    public void Too_few_ready_members_wait_and_hold_nothing()
    {
        var cluster = new QueueCycleBuilder().Node("a", "8");
        var result = cluster.Run(Members(3));
        Assert.Empty(result.Placed);
        Assert.All(result.Unplaced, u => Assert.Equal(Reasons.GangWaiting, u.Reason));
        Assert.Equal("gang train: 3 of 4 members ready", result.Unplaced[0].Message);
    }

    [Fact]
    public void Members_placed_before_count_towards_min_members()
    {
        var cluster = new QueueCycleBuilder().Node("a", "8").Running("ns/train-0", "a", "1", gang: "ns/train").Running("ns/train-1", "a", "1", gang: "ns/train");
        var result = cluster.Run(W("ns/train-2", "1", gang: Train), W("ns/train-3", "1", gang: Train));
        Assert.Equal(2, result.Placed.Count);
    }

    [Fact]
    public void A_gangs_quota_is_checked_for_all_its_members_together()
    {
        var cluster = new QueueCycleBuilder().Node("a", "8").Queue("q", cpuQuota: "3");
        var gang = new GangRef("ns/train", 4);
        var result = cluster.Run([.. Enumerable.Range(0, 4).Select(i => W($"ns/train-{i}", "1", queue: "q", gang: gang, readyAfter: i))]);
        Assert.Empty(result.Placed);
        Assert.All(result.Unplaced, u => Assert.Equal(Reasons.QuotaExceeded, u.Reason));
        Assert.StartsWith("gang train: queue q: quota exceeded for cpu: 3 of 3 in use, needs 1", result.Unplaced[0].Message);
    }

    [Fact]
    public void A_gangs_members_see_each_others_tentative_placements()
    {
        // FirstAvailable would put every member on a if the overlay did not count the ones before.
        var cluster = new QueueCycleBuilder().Node("a", "2").Node("b", "2");
        var result = cluster.Run(Members(4));
        Assert.Equal(["a", "a", "b", "b"], result.Placed.Select(p => p.Node));
    }

    [Fact]
    public void A_gang_with_a_member_behind_a_blocked_strict_fifo_head_is_not_placed()
    {
        // The head of strict queue q does not fit; the gang's member in q waits behind it, so the gang holds nothing,
        // even though its other member (in the implicit queue) would fit.
        var cluster = new QueueCycleBuilder().Node("a", "4").Queue("q", strict: true);
        var gang = new GangRef("ns/train", 2);
        var result = cluster.Run(
            W("ns/head", "8", queue: "q", readyAfter: 0),
            W("ns/train-0", "1", queue: "q", gang: gang, readyAfter: 1),
            W("ns/train-1", "1", gang: gang, readyAfter: 2));
        Assert.Empty(result.Placed);
        Assert.Empty(cluster.Tracker.Allocations());
        Assert.All(result.Unplaced.Where(u => u.Workload.Gang is not null), u => Assert.Equal(Reasons.BlockedByQueueHead, u.Reason));
    }

    [Fact]
    public void GangBook_fails_the_unplaced_members_of_a_gang_that_can_no_longer_reach_min_members()
    {
        var book = new GangBook(
        [
            new GangMember("ns/w0", "ns/train", 4, GangMemberState.Failed),
            new GangMember("ns/w1", "ns/train", 4, GangMemberState.Unplaced),
            new GangMember("ns/w2", "ns/train", 4, GangMemberState.Unplaced),
            new GangMember("ns/w3", "ns/train", 4, GangMemberState.Placed),
            new GangMember("ns/x0", "ns/ok", 2, GangMemberState.Failed),
            new GangMember("ns/x1", "ns/ok", 2, GangMemberState.Unplaced),
            new GangMember("ns/x2", "ns/ok", 2, GangMemberState.Unplaced),
        ]);
        Assert.Equal("gang train: 1 member(s) failed (w0), so at most 3 of minMembers 4 can run", book.FailureOf("ns/w1"));
        Assert.NotNull(book.FailureOf("ns/w2"));
        Assert.Null(book.FailureOf("ns/w3"));
        Assert.Null(book.FailureOf("ns/x1"));
        Assert.Equal((4, 1), (book.MinMembers("ns/train"), book.Placed("ns/train")));
    }
}
