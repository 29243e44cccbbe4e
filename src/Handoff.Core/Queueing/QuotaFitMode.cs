namespace Handoff.Core.Queueing;

/// <summary>How a cost fits a queue's quota (Kueue's flavor assigner calls these Fit and NoFit).</summary>
public enum QuotaFitMode
{
    /// <summary>Within the queue's own quota for every listed resource.</summary>
    Fit,

    /// <summary>Above the quota for some resource, within the borrowing limit and what the cohort leaves unused.</summary>
    FitByBorrowing,

    /// <summary>Not admissible now; <see cref="QuotaCheck.Shortfall"/> says where.</summary>
    NoFit,
}
