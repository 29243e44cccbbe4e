using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Queueing;

public sealed class QueueQuotaTests
{
    [Fact]
    public void A_valid_spec_has_no_problems()
    {
        Assert.Empty(new QueueQuota("q") { Quota = ResourceList.Of(("cpu", "1")), Cohort = "c", BorrowingLimit = ResourceList.Of(("cpu", "1")) }.Problems());
        Assert.Empty(QueueQuota.Implicit.Problems());
        Assert.Equal(1000, QueueQuota.Implicit.WeightMilli);
    }

    [Fact]
    public void An_invalid_spec_says_why()
    {
        var queue = new QueueQuota("q") { WeightMilli = 0, BorrowingLimit = ResourceList.Of(("cpu", "1")), Cohort = "" };
        Assert.False(queue.HasCohort);
        Assert.Equal(
            [
                "weight 0 must be greater than 0",
                "borrowingLimit needs a cohort to borrow from",
                "borrowingLimit names cpu, which quota does not list (a resource quota does not list is unlimited)",
            ],
            queue.Problems());
    }
}
