using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Operator.Reconciliation;

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
