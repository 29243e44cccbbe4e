using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Queueing;

public sealed class QuotaSnapshotTests
{
    private static ResourceList List(params (string, string)[] entries) => ResourceList.Of(entries);

    private static QueueQuotaState Queue(string name, string? cohort, ResourceList quota, ResourceList usage, ResourceList? borrowingLimit = null) =>
        new(new QueueQuota(name) { Quota = quota, Cohort = cohort, BorrowingLimit = borrowingLimit ?? ResourceList.Empty }, usage);

    [Fact]
    public void A_cost_over_the_quota_of_a_queue_without_cohort_is_refused_with_the_contracts_message()
    {
        var snapshot = new QuotaSnapshot([Queue("team-a", null, List(("cpu", "16")), List(("cpu", "16")))]);
        var check = snapshot.Check("team-a", List(("cpu", "2")));
        Assert.False(check.Admissible);
        Assert.Equal(QuotaFitMode.NoFit, check.Mode);
        Assert.Equal(new QuotaShortfall("team-a", "cpu", 16_000, 16_000, 2_000, QuotaLimit.Quota, 0, null), check.Shortfall);
        Assert.Equal("queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 2", check.Shortfall!.Message);
    }

    [Fact]
    public void Within_quota_fits_and_unlisted_resources_are_unlimited()
    {
        var snapshot = new QuotaSnapshot([Queue("team-a", null, List(("cpu", "16")), List(("cpu", "14")))]);
        var check = snapshot.Check("team-a", List(("cpu", "2"), ("nvidia.com/gpu", "100")));
        Assert.Equal(QuotaFitMode.Fit, check.Mode);
        Assert.True(check.Admissible);
        Assert.Null(check.Shortfall);
        Assert.Equal(ResourceList.Empty, check.Borrowing);
    }

    [Fact]
    public void Only_resources_the_cost_needs_are_checked()
    {
        // The quota was lowered below the usage; a cost that needs no cpu still fits.
        var snapshot = new QuotaSnapshot([Queue("team-a", null, List(("cpu", "16"), ("memory", "8Gi")), List(("cpu", "20")))]);
        Assert.Equal(QuotaFitMode.Fit, snapshot.Check("team-a", List(("cpu", "0"), ("memory", "1Gi"))).Mode);
    }

    [Fact]
    public void The_first_blocking_resource_is_reported_in_ordinal_order()
    {
        var snapshot = new QuotaSnapshot([Queue("q", null, List(("cpu", "1"), ("memory", "1"), ("nvidia.com/gpu", "1")), ResourceList.Empty)]);
        Assert.Equal("memory", snapshot.Check("q", List(("nvidia.com/gpu", "2"), ("memory", "2"))).Shortfall?.Resource);
    }

    [Fact]
    public void A_queue_borrows_what_the_rest_of_its_cohort_leaves_unused()
    {
        var snapshot = new QuotaSnapshot(
        [
            Queue("team-a", "research", List(("cpu", "16")), List(("cpu", "16"))),
            Queue("team-b", "research", List(("cpu", "8")), List(("cpu", "2"))),
        ]);
        Assert.Equal(6_000, snapshot.CohortLendable("team-a", "cpu"));

        var borrow = snapshot.Check("team-a", List(("cpu", "4")));
        Assert.Equal(QuotaFitMode.FitByBorrowing, borrow.Mode);
        Assert.Equal(List(("cpu", "4")), borrow.Borrowing);

        var tooMuch = snapshot.Check("team-a", List(("cpu", "7")));
        Assert.Equal(QuotaLimit.Cohort, tooMuch.Shortfall?.Limit);
        Assert.Equal("queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 7; cohort research has 6 unused", tooMuch.Shortfall?.Message);
    }

    [Fact]
    public void Borrowing_stops_at_the_borrowing_limit()
    {
        var snapshot = new QuotaSnapshot(
        [
            Queue("team-a", "research", List(("cpu", "16")), List(("cpu", "16")), borrowingLimit: List(("cpu", "2"))),
            Queue("team-b", "research", List(("cpu", "8")), ResourceList.Empty),
        ]);
        Assert.Equal(QuotaFitMode.FitByBorrowing, snapshot.Check("team-a", List(("cpu", "2"))).Mode);
        var check = snapshot.Check("team-a", List(("cpu", "3")));
        Assert.Equal(QuotaLimit.BorrowingLimit, check.Shortfall?.Limit);
        Assert.Equal("queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 3; may borrow at most 2 (borrowingLimit)", check.Shortfall?.Message);
    }

    [Fact]
    public void What_a_queue_already_borrows_and_what_others_borrow_is_not_lendable_again()
    {
        var snapshot = new QuotaSnapshot(
        [
            Queue("a", "c", List(("cpu", "10")), List(("cpu", "14"))), // borrows 4
            Queue("b", "c", List(("cpu", "10")), List(("cpu", "0"))),  // lends 10
            Queue("d", "c", List(("cpu", "10")), List(("cpu", "13"))), // borrows 3
            Queue("e", "c", List(("memory", "10")), List(("cpu", "50"))), // does not list cpu: neither lends nor borrows it
        ]);
        Assert.Equal(7_000, snapshot.CohortLendable("a", "cpu"));
        Assert.Equal(QuotaFitMode.FitByBorrowing, snapshot.Check("a", List(("cpu", "3"))).Mode);
        var check = snapshot.Check("a", List(("cpu", "4")));
        Assert.Equal("queue a: quota exceeded for cpu: 14 of 10 in use, needs 4; cohort c has 3 unused", check.Shortfall?.Message);
        Assert.Equal(0, snapshot.CohortLendable("e", "memory"));
    }

    [Fact]
    public void Admitting_and_releasing_move_the_usage()
    {
        var snapshot = new QuotaSnapshot([Queue("q", null, List(("cpu", "4")), ResourceList.Empty)]);
        var admitted = snapshot.Admit("q", List(("cpu", "3"), ("gpu", "1")));
        Assert.Equal(List(("cpu", "3"), ("gpu", "1")), admitted["q"].Usage);
        Assert.Equal(ResourceList.Empty, snapshot["q"].Usage);
        Assert.False(admitted.Check("q", List(("cpu", "2"))).Admissible);
        Assert.True(admitted.Release("q", List(("cpu", "3"))).Check("q", List(("cpu", "2"))).Admissible);
        var e = Assert.Throws<ArgumentException>(() => admitted.Release("q", List(("cpu", "4"))));
        Assert.StartsWith("queue q holds 3 of cpu, cannot release 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_and_duplicate_queues_are_clear_errors()
    {
        var snapshot = new QuotaSnapshot([Queue("q", null, ResourceList.Empty, ResourceList.Empty)]);
        Assert.Equal("queue nope is not in the snapshot", Assert.Throws<KeyNotFoundException>(() => snapshot.Check("nope", ResourceList.Empty)).Message);
        Assert.False(snapshot.Contains("nope"));
        Assert.Throws<ArgumentException>(() => new QuotaSnapshot([Queue("q", null, ResourceList.Empty, ResourceList.Empty), Queue("q", "c", ResourceList.Empty, ResourceList.Empty)]));
    }

    [Fact]
    public void Borrowed_reports_the_usage_above_quota_for_listed_resources_in_use()
    {
        var state = Queue("team-a", "research", List(("cpu", "16"), ("nvidia.com/gpu", "2")), List(("cpu", "14"), ("memory", "1Gi")));
        Assert.Equal(List(("cpu", "0")), state.Borrowed);
        Assert.False(state.IsBorrowing);
        var borrowing = state with { Usage = List(("cpu", "18"), ("nvidia.com/gpu", "1")) };
        Assert.Equal(List(("cpu", "2"), ("nvidia.com/gpu", "0")), borrowing.Borrowed);
        Assert.True(borrowing.IsBorrowing);
    }

    [Fact]
    public void Borrowers_and_reclaim_candidates_of_a_cohort()
    {
        var snapshot = new QuotaSnapshot(
        [
            Queue("a", "c", List(("cpu", "10"), ("memory", "10")), List(("cpu", "2"))),
            Queue("b", "c", List(("cpu", "10"), ("memory", "10")), List(("cpu", "15"), ("memory", "4"))),
            Queue("d", "c", List(("cpu", "10"), ("memory", "10")), List(("memory", "12"))),
            Queue("solo", null, List(("cpu", "1")), List(("cpu", "5"))),
        ]);
        Assert.Equal([new QueueBorrowing("b", List(("cpu", "5"))), new QueueBorrowing("d", List(("memory", "2")))], snapshot.Borrowers("c"));
        Assert.Equal(["a", "b", "d"], snapshot.CohortMembers("c"));
        Assert.Empty(snapshot.CohortMembers("none"));

        Assert.Equal(["b"], snapshot.ReclaimCandidates("a", List(("cpu", "8"))).Select(b => b.Queue));
        Assert.Equal(["b", "d"], snapshot.ReclaimCandidates("a", List(("cpu", "1"), ("memory", "1"))).Select(b => b.Queue));
        Assert.Empty(snapshot.ReclaimCandidates("a", List(("cpu", "9")))); // beyond its own quota: borrowing, not reclaiming
        Assert.Empty(snapshot.ReclaimCandidates("solo", List(("cpu", "0"))));
    }
}
