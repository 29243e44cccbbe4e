using Handoff.Core.Nodes;
using Handoff.Core.Resources;

namespace Handoff.Core.Queueing;

/// <summary>
/// The quota part of a HandoffQueue's spec: how much of each listed resource the functions and pods of the queue
/// may hold at once (a resource the quota does not list is unlimited), how much more they may borrow from the
/// cohort, and the queue's fair-share weight.
/// </summary>
/// <param name="Name">The queue's name; empty for the implicit queue of functions without one.</param>
public sealed record QueueQuota(string Name)
{
    /// <summary>The default weight, 1, in milli-units.</summary>
    public const long DefaultWeightMilli = 1000;

    /// <summary>The implicit queue of functions and pods that name none: no quota, no cohort, weight 1.</summary>
    public static QueueQuota Implicit { get; } = new("");

    /// <summary><c>spec.quota</c>: the most the queue may hold of each listed resource, borrowing aside.</summary>
    public ResourceList Quota { get; init; } = ResourceList.Empty;

    /// <summary>
    /// <c>spec.borrowingLimit</c>: at most this much above the quota of each listed resource; a quota resource it
    /// does not list may borrow as much as the cohort leaves unused.
    /// </summary>
    public ResourceList BorrowingLimit { get; init; } = ResourceList.Empty;

    /// <summary><c>spec.cohort</c>: queues of one cohort lend each other unused quota; null or empty for none.</summary>
    public string? Cohort { get; init; }

    /// <summary><c>spec.weight</c> in milli-units (1 = 1000); must be greater than 0.</summary>
    public long WeightMilli { get; init; } = DefaultWeightMilli;

    /// <summary><c>spec.queueingStrategy</c>.</summary>
    public QueueingStrategy Strategy { get; init; } = QueueingStrategy.BestEffortFIFO;

    /// <summary><c>spec.namespaceSelector</c>: the namespaces (by their labels) whose workloads may use the queue.</summary>
    public LabelSelector NamespaceSelector { get; init; } = LabelSelector.Everything;

    /// <summary>What of the spec could not be read at all (a quantity that does not parse), each with its field.</summary>
    public IReadOnlyList<string> SpecProblems { get; init; } = [];

    /// <summary>Whether the queue belongs to a cohort.</summary>
    public bool HasCohort => !string.IsNullOrEmpty(Cohort);

    /// <summary>
    /// What makes the spec invalid (the queue's <c>Active</c> condition is False with these): a weight that is not
    /// positive, a borrowing limit without a cohort, a borrowing limit on a resource the quota does not list, an
    /// invalid namespace selector. Empty when valid.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>(SpecProblems);
        if (WeightMilli <= 0)
        {
            problems.Add($"weight {ResourceList.FormatMilli(WeightMilli)} must be greater than 0");
        }

        if (BorrowingLimit.Count > 0 && !HasCohort)
        {
            problems.Add("borrowingLimit needs a cohort to borrow from");
        }

        foreach (var name in BorrowingLimit.Names)
        {
            if (!Quota.Contains(name))
            {
                problems.Add($"borrowingLimit names {name}, which quota does not list (a resource quota does not list is unlimited)");
            }
        }

        problems.AddRange(NamespaceSelector.Problems.Select(p => "namespaceSelector." + p));
        return problems;
    }
}
