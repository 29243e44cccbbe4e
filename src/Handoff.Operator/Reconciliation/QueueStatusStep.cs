using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// The status a pass wants a HandoffQueue to have — a value: equal reports mean nothing to write. Usage and borrowed
/// are compared through their text.
/// </summary>
public sealed record QueueReport(string Name, int Pending, int Admitted, ResourceList Usage, ResourceList Borrowed, IReadOnlyList<string> Problems)
{
    public bool Active => Problems.Count == 0;

    public string ActiveReason => Active ? "Admitting" : "InvalidSpec";

    public string ActiveMessage => Active ? "the queue admits work" : string.Join("; ", Problems);

    public bool Equals(QueueReport? other) =>
        other is not null && Name == other.Name && Pending == other.Pending && Admitted == other.Admitted && Usage.ToString() == other.Usage.ToString()
        && Borrowed.ToString() == other.Borrowed.ToString() && Problems.SequenceEqual(other.Problems);

    public override int GetHashCode() => HashCode.Combine(Name, Pending, Admitted, Usage.ToString(), Borrowed.ToString());
}

/// <summary>
/// Step 8 for HandoffQueues (pure): each queue's pending (ready and waiting: in the cycle or kept out of it), admitted
/// (holding capacity, placed now included), usage and borrowed, and whether it is Active.
/// </summary>
public static class QueueStatusStep
{
    public static IReadOnlyList<QueueReport> For(SchedulingOutcome scheduling)
    {
        ArgumentNullException.ThrowIfNull(scheduling);
        var fromCycle = scheduling.Cycle.Queues.ToDictionary(q => q.Queue, StringComparer.Ordinal);
        var blockedIn = scheduling.BlockedPerQueue;
        var reports = new List<QueueReport>();
        foreach (var queue in scheduling.Queueing.Queues.Values.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            var blocked = blockedIn.GetValueOrDefault(queue.Name);
            if (fromCycle.TryGetValue(queue.Name, out var usage))
            {
                reports.Add(new QueueReport(queue.Name, usage.Pending + blocked, usage.Admitted, usage.Usage, usage.Borrowed, []));
                continue;
            }

            // Inactive: nothing is admitted through it now; what its workloads still hold is shown all the same.
            var held = scheduling.Admitted.Where(a => a.Queue == queue.Name).ToList();
            var total = held.Aggregate(ResourceList.Empty, (sum, a) => sum.Add(a.Cost));
            reports.Add(new QueueReport(queue.Name, blocked, held.Count, total, new QueueQuotaState(queue, total).Borrowed, queue.Problems()));
        }

        return reports;
    }
}
