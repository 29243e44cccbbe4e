namespace Handoff.Core.Queueing;

/// <summary>What stopped a cost that exceeds a queue's quota from borrowing the rest.</summary>
public enum QuotaLimit
{
    /// <summary>The queue has no cohort: its quota is all it has.</summary>
    Quota,

    /// <summary>The queue's <c>borrowingLimit</c> for the resource is smaller than what it would borrow.</summary>
    BorrowingLimit,

    /// <summary>The cohort's other queues leave less unused than it would borrow.</summary>
    Cohort,
}
