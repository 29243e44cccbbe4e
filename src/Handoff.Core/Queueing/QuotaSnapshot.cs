using System.Collections.Immutable;
using Handoff.Core.Resources;

namespace Handoff.Core.Queueing;

/// <summary>
/// The quota state of every queue at one moment, immutable: admission checks against it, and admitting or releasing
/// a cost gives the next snapshot (cheap: one queue's entry is replaced). Rules (api.md, "Queues", rule 2):
/// <list type="bullet">
/// <item>Only resources the cost needs (more than 0) and the queue's quota lists are checked; unlisted ones are
/// unlimited.</item>
/// <item>Usage + cost within the quota fits, whatever the cohort holds: a queue's own quota is guaranteed. When the
/// nodes are full because others borrowed it, the queue takes it back by preemption (see
/// <see cref="ReclaimCandidates"/>).</item>
/// <item>Above the quota, the queue borrows the excess (usage + cost − quota), which must stay within its
/// <c>borrowingLimit</c> for the resource (none listed = no limit) and within what the cohort's other queues leave
/// unused (<see cref="CohortLendable"/>). So borrowing never takes more than the cohort has spare, and after any
/// borrowing admission the cohort as a whole holds no more than the sum of its quotas.</item>
/// </list>
/// </summary>
public sealed class QuotaSnapshot
{
    private readonly ImmutableSortedDictionary<string, QueueQuotaState> _queues;
    private readonly ImmutableDictionary<string, ImmutableArray<string>> _cohorts;

    /// <summary>A snapshot of <paramref name="queues"/>.</summary>
    /// <exception cref="ArgumentException">two queues have the same name.</exception>
    public QuotaSnapshot(IEnumerable<QueueQuotaState> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, QueueQuotaState>(StringComparer.Ordinal);
        foreach (var state in queues)
        {
            if (!builder.TryAdd(state.Queue.Name, state))
            {
                throw new ArgumentException($"queue {state.Queue.Name} is listed twice", nameof(queues));
            }
        }

        _queues = builder.ToImmutable();
        _cohorts = _queues.Values
            .Where(s => s.Queue.HasCohort)
            .GroupBy(s => s.Queue.Cohort!, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.Select(s => s.Queue.Name).ToImmutableArray(), StringComparer.Ordinal);
    }

    private QuotaSnapshot(ImmutableSortedDictionary<string, QueueQuotaState> queues, ImmutableDictionary<string, ImmutableArray<string>> cohorts)
    {
        _queues = queues;
        _cohorts = cohorts;
    }

    /// <summary>No queues.</summary>
    public static QuotaSnapshot Empty { get; } = new([]);

    /// <summary>Every queue, in ordinal name order.</summary>
    public IEnumerable<QueueQuotaState> Queues => _queues.Values;

    /// <summary>The state of <paramref name="queue"/>.</summary>
    /// <exception cref="KeyNotFoundException">there is no such queue.</exception>
    public QueueQuotaState this[string queue] =>
        _queues.TryGetValue(queue, out var state) ? state : throw new KeyNotFoundException($"queue {queue} is not in the snapshot");

    public bool Contains(string queue) => _queues.ContainsKey(queue);

    /// <summary>The queues of <paramref name="cohort"/>, in ordinal name order; empty for an unknown cohort.</summary>
    public IReadOnlyList<string> CohortMembers(string cohort) => _cohorts.TryGetValue(cohort, out var members) ? members : [];

    /// <summary>
    /// The most <paramref name="queue"/> may hold above its quota of <paramref name="resource"/> by the cohort's
    /// account: the sum, over the cohort's other queues whose quota lists the resource, of quota − usage — their
    /// idle quota less what some of them borrow themselves (Kueue's cohort arithmetic without lending limits) —
    /// or 0 when that is negative or the queue has no cohort. What the queue already borrows is part of it; queues
    /// whose quota does not list the resource neither lend nor borrow it.
    /// </summary>
    public long CohortLendable(string queue, string resource)
    {
        var state = this[queue];
        if (!state.Queue.HasCohort)
        {
            return 0;
        }

        long lendable = 0;
        foreach (var member in _cohorts[state.Queue.Cohort!])
        {
            var other = _queues[member];
            if (member != queue && other.Queue.Quota.Contains(resource))
            {
                lendable = checked(lendable + (other.Queue.Quota[resource] - other.Usage[resource]));
            }
        }

        return Math.Max(0, lendable);
    }

    /// <summary>
    /// Whether <paramref name="cost"/> fits <paramref name="queue"/>'s quota now: within it, by borrowing, or not —
    /// then with the first blocking resource in ordinal name order and the contract's message.
    /// </summary>
    public QuotaCheck Check(string queue, ResourceList cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var state = this[queue];
        var quota = state.Queue.Quota;
        Dictionary<string, long>? borrowing = null;
        foreach (var (name, need) in cost)
        {
            if (need <= 0 || !quota.Contains(name))
            {
                continue;
            }

            var usage = state.Usage[name];
            var borrow = checked(usage + need) - quota[name];
            if (borrow <= 0)
            {
                continue;
            }

            var (limit, maxBorrowing) = BorrowingLimitFor(state, name);
            if (borrow > maxBorrowing)
            {
                var shortfall = new QuotaShortfall(queue, name, usage, quota[name], need, limit, maxBorrowing, state.Queue.Cohort);
                return new QuotaCheck(queue, QuotaFitMode.NoFit, ResourceList.Empty, shortfall);
            }

            (borrowing ??= new Dictionary<string, long>(StringComparer.Ordinal))[name] = borrow;
        }

        return borrowing is null
            ? new QuotaCheck(queue, QuotaFitMode.Fit, ResourceList.Empty, null)
            : new QuotaCheck(queue, QuotaFitMode.FitByBorrowing, ResourceList.FromMilli(borrowing), null);
    }

    /// <summary>The snapshot with <paramref name="cost"/> added to <paramref name="queue"/>'s usage (an admission).</summary>
    public QuotaSnapshot Admit(string queue, ResourceList cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var state = this[queue];
        return WithState(state with { Usage = state.Usage.Add(cost) });
    }

    /// <summary>The snapshot with <paramref name="cost"/> taken from <paramref name="queue"/>'s usage (a release).</summary>
    /// <exception cref="ArgumentException">the queue does not hold that much of some resource.</exception>
    public QuotaSnapshot Release(string queue, ResourceList cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var state = this[queue];
        foreach (var (name, amount) in cost)
        {
            if (amount > state.Usage[name])
            {
                throw new ArgumentException(
                    $"queue {queue} holds {ResourceList.FormatMilli(state.Usage[name])} of {name}, cannot release {ResourceList.FormatMilli(amount)}", nameof(cost));
            }
        }

        return WithState(state with { Usage = state.Usage.Subtract(cost) });
    }

    /// <summary>The queues of <paramref name="cohort"/> that hold more than their quota, with how much more.</summary>
    public IReadOnlyList<QueueBorrowing> Borrowers(string cohort) =>
        [.. CohortMembers(cohort).Select(name => _queues[name]).Where(s => s.IsBorrowing).Select(s => new QueueBorrowing(s.Queue.Name, s.Borrowed.Filter(static (_, amount) => amount > 0)))];

    /// <summary>
    /// Quota reclaim's inputs: when <paramref name="cost"/> fits <paramref name="queue"/>'s own quota (no
    /// borrowing) and the queue is in a cohort, the cohort's other queues that borrow a resource the cost needs —
    /// the queues whose functions and pods the queue may preempt to take its quota back. Empty otherwise.
    /// </summary>
    public IReadOnlyList<QueueBorrowing> ReclaimCandidates(string queue, ResourceList cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var state = this[queue];
        if (!state.Queue.HasCohort || Check(queue, cost).Mode != QuotaFitMode.Fit)
        {
            return [];
        }

        var needed = cost.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        return [.. Borrowers(state.Queue.Cohort!).Where(b => b.Queue != queue && b.Borrowed.Names.Any(needed.Contains))];
    }

    private (QuotaLimit Limit, long MaxBorrowing) BorrowingLimitFor(QueueQuotaState state, string resource)
    {
        if (!state.Queue.HasCohort)
        {
            return (QuotaLimit.Quota, 0);
        }

        var lendable = CohortLendable(state.Queue.Name, resource);
        if (state.Queue.BorrowingLimit.Contains(resource) && state.Queue.BorrowingLimit[resource] <= lendable)
        {
            return (QuotaLimit.BorrowingLimit, state.Queue.BorrowingLimit[resource]);
        }

        return (QuotaLimit.Cohort, lendable);
    }

    private QuotaSnapshot WithState(QueueQuotaState state) => new(_queues.SetItem(state.Queue.Name, state), _cohorts);
}
