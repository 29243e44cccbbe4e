using Handoff.Core.Resources;

namespace Handoff.Core.Queueing;

/// <summary>The verdict of <see cref="QuotaSnapshot.Check"/> for one cost in one queue.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Mode">How the cost fits.</param>
/// <param name="Borrowing">
/// For <see cref="QuotaFitMode.FitByBorrowing"/>: per resource, how far above its quota the queue will be once the
/// cost is admitted. Empty otherwise.
/// </param>
/// <param name="Shortfall">For <see cref="QuotaFitMode.NoFit"/>: the first blocking resource. Null otherwise.</param>
public sealed record QuotaCheck(string Queue, QuotaFitMode Mode, ResourceList Borrowing, QuotaShortfall? Shortfall)
{
    /// <summary>True for <see cref="QuotaFitMode.Fit"/> and <see cref="QuotaFitMode.FitByBorrowing"/>.</summary>
    public bool Admissible => Mode != QuotaFitMode.NoFit;
}
