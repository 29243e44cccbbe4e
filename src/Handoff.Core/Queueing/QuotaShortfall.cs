using Handoff.Core.Resources;

namespace Handoff.Core.Queueing;

/// <summary>
/// The first resource (in ordinal name order) for which a cost does not fit its queue's quota, with the numbers the
/// Pending message gives.
/// </summary>
/// <param name="Queue">The queue.</param>
/// <param name="Resource">The resource.</param>
/// <param name="Usage">What the queue holds of it now, in milli-units.</param>
/// <param name="Quota">The queue's quota of it.</param>
/// <param name="Need">What the cost needs of it.</param>
/// <param name="Limit">What stopped borrowing.</param>
/// <param name="MaxBorrowing">
/// The most the queue may hold above its quota of the resource now, counting what it already borrows: its
/// borrowing limit, or what the cohort can lend (<see cref="QuotaSnapshot.CohortLendable"/>); 0 without a cohort.
/// </param>
/// <param name="Cohort">The queue's cohort, if any.</param>
public sealed record QuotaShortfall(string Queue, string Resource, long Usage, long Quota, long Need, QuotaLimit Limit, long MaxBorrowing, string? Cohort)
{
    /// <summary>
    /// <c>queue team-a: quota exceeded for cpu: 16 of 16 in use, needs 2</c>, followed, when the queue could borrow,
    /// by what limited it: <c>; may borrow at most 4 (borrowingLimit)</c> or <c>; cohort research has 1 unused</c>
    /// (what the cohort can lend less what the queue already borrows).
    /// </summary>
    public string Message
    {
        get
        {
            var message = $"queue {Queue}: quota exceeded for {Resource}: {Format(Usage)} of {Format(Quota)} in use, needs {Format(Need)}";
            return Limit switch
            {
                QuotaLimit.BorrowingLimit => $"{message}; may borrow at most {Format(MaxBorrowing)} (borrowingLimit)",
                QuotaLimit.Cohort => $"{message}; cohort {Cohort} has {Format(Math.Max(0, MaxBorrowing - Math.Max(0, Usage - Quota)))} unused",
                _ => message,
            };
        }
    }

    private static string Format(long milli) => ResourceList.FormatMilli(milli);
}
