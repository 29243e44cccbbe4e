using CsCheck;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Queueing;

public sealed class QuotaPropertyTests
{
    // Ordinal order, as the checks go.
    private static readonly string[] Resources = ["cpu", "gpu", "memory"];
    private static readonly string?[] Cohorts = [null, "c1", "c2"];

    // Per resource: listed in the quota?, the quota, a borrowing limit?, the limit.
    private static readonly Gen<QueueQuota> GenQueue =
        Gen.Select(Gen.Int[0, 2], Gen.Select(Gen.Bool, Gen.Long[0, 8000], Gen.Bool, Gen.Long[0, 4000]).Array[Resources.Length])
            .Select((cohort, perResource) =>
            {
                var quota = new List<KeyValuePair<string, long>>();
                var limits = new List<KeyValuePair<string, long>>();
                for (var r = 0; r < Resources.Length; r++)
                {
                    var (listed, amount, limited, limit) = perResource[r];
                    if (listed)
                    {
                        quota.Add(KeyValuePair.Create(Resources[r], amount));
                        if (limited && Cohorts[cohort] is not null)
                        {
                            limits.Add(KeyValuePair.Create(Resources[r], limit));
                        }
                    }
                }

                return new QueueQuota("") { Cohort = Cohorts[cohort], Quota = ResourceList.FromMilli(quota), BorrowingLimit = ResourceList.FromMilli(limits) };
            });

    private static readonly Gen<ResourceList> GenCost =
        Gen.Long[0, 4000].Array[Resources.Length].Select(amounts => ResourceList.FromMilli(amounts.Select((a, r) => KeyValuePair.Create(Resources[r], a))));

    // (queue index, cost, release one of the queue's admitted costs instead)
    private static readonly Gen<(int Queue, ResourceList Cost, bool Release)[]> GenOps =
        Gen.Select(Gen.Int[0, 4], GenCost, Gen.Int[0, 4]).Select((q, cost, dice) => (q, cost, dice == 0)).Array[1, 60];

    private static long Lendable(IReadOnlyList<QueueQuotaState> states, int q, string resource) =>
        states.Where((s, i) => i != q && s.Queue.HasCohort && s.Queue.Cohort == states[q].Queue.Cohort && s.Queue.Quota.Contains(resource))
            .Sum(s => s.Queue.Quota[resource] - s.Usage[resource]);

    // The rule written out plainly: (mode, blocking resource).
    private static (QuotaFitMode Mode, string? Resource) NaiveCheck(IReadOnlyList<QueueQuotaState> states, int q, ResourceList cost)
    {
        var state = states[q];
        var borrows = false;
        foreach (var r in Resources)
        {
            if (cost[r] <= 0 || !state.Queue.Quota.Contains(r) || state.Usage[r] + cost[r] <= state.Queue.Quota[r])
            {
                continue;
            }

            var borrow = state.Usage[r] + cost[r] - state.Queue.Quota[r];
            var withinLimit = !state.Queue.BorrowingLimit.Contains(r) || borrow <= state.Queue.BorrowingLimit[r];
            if (!state.Queue.HasCohort || !withinLimit || borrow > Math.Max(0, Lendable(states, q, r)))
            {
                return (QuotaFitMode.NoFit, r);
            }

            borrows = true;
        }

        return (borrows ? QuotaFitMode.FitByBorrowing : QuotaFitMode.Fit, null);
    }

    [Fact]
    public void Admission_follows_the_rule_and_never_exceeds_quota_plus_borrowing_or_the_cohorts_unused()
    {
        var modes = new int[3];
        Gen.Select(GenQueue.Array[1, 5], GenOps).Sample((queues, ops) =>
        {
            var names = queues.Select((_, i) => $"q{i}").ToArray();
            var snapshot = new QuotaSnapshot(queues.Select((q, i) => new QueueQuotaState(q with { Name = names[i] }, ResourceList.Empty)));
            var admitted = names.ToDictionary(n => n, _ => new List<ResourceList>());
            foreach (var (index, cost, release) in ops)
            {
                var q = index % names.Length;
                var name = names[q];
                if (release)
                {
                    if (admitted[name].Count > 0)
                    {
                        snapshot = snapshot.Release(name, admitted[name][0]);
                        admitted[name].RemoveAt(0);
                    }

                    continue;
                }

                var states = names.Select(n => snapshot[n]).ToList();
                var check = snapshot.Check(name, cost);
                var (mode, resource) = NaiveCheck(states, q, cost);
                Assert.Equal(mode, check.Mode);
                Assert.Equal(resource, check.Shortfall?.Resource);
                Interlocked.Increment(ref modes[(int)check.Mode]);
                if (!check.Admissible)
                {
                    continue;
                }

                foreach (var (r, borrow) in check.Borrowing)
                {
                    Assert.True(borrow <= snapshot.CohortLendable(name, r), $"{name} borrows {borrow} of {r}, more than the cohort's {snapshot.CohortLendable(name, r)}");
                    Assert.Equal(Math.Max(0, Lendable(states, q, r)), snapshot.CohortLendable(name, r));
                }

                snapshot = snapshot.Admit(name, cost);
                admitted[name].Add(cost);

                foreach (var r in check.Borrowing.Names)
                {
                    var members = names.Select(n => snapshot[n]).Where(s => s.Queue.Cohort == states[q].Queue.Cohort && s.Queue.Quota.Contains(r)).ToList();
                    Assert.True(members.Sum(s => s.Usage[r]) <= members.Sum(s => s.Queue.Quota[r]), $"cohort {states[q].Queue.Cohort} over its quota of {r}");
                }

                foreach (var state in snapshot.Queues)
                {
                    foreach (var (r, quota) in state.Queue.Quota)
                    {
                        var allowance = !state.Queue.HasCohort ? 0 : state.Queue.BorrowingLimit.Contains(r) ? state.Queue.BorrowingLimit[r] : long.MaxValue - quota;
                        Assert.True(state.Usage[r] <= quota + allowance, $"{state.Queue.Name} holds {state.Usage[r]} of {r}, quota {quota} + {allowance}");
                    }
                }
            }
        }, iter: 500);

        // The samples reach every outcome, so the invariants above were tested where they matter.
        Assert.All(modes, count => Assert.True(count > 100, string.Join(", ", modes)));
    }
}
