using Handoff.Core.Resources;

namespace Handoff.Core.Queueing;

/// <summary>A queue's quota and what its admitted functions and pods hold now (the sum of their effective costs).</summary>
public sealed record QueueQuotaState(QueueQuota Queue, ResourceList Usage)
{
    /// <summary>The implicit queue of functions without one, holding <paramref name="usage"/>.</summary>
    public static QueueQuotaState Implicit(ResourceList usage) => new(QueueQuota.Implicit, usage);

    /// <summary>
    /// <c>status.borrowed</c>: for each resource the quota lists and the queue uses, how much of the usage lies
    /// above the quota (0 when none). Above the quota is borrowed from the cohort — or, for a queue whose quota was
    /// lowered below what it already holds, simply over it.
    /// </summary>
    public ResourceList Borrowed =>
        ResourceList.FromMilli(Usage.Where(e => Queue.Quota.Contains(e.Key)).Select(e => KeyValuePair.Create(e.Key, Math.Max(0, e.Value - Queue.Quota[e.Key]))));

    /// <summary>Whether the queue holds more than its quota of some resource.</summary>
    public bool IsBorrowing => Usage.Any(e => Queue.Quota.Contains(e.Key) && e.Value > Queue.Quota[e.Key]);

    /// <summary>The queue's weighted dominant share (see <see cref="Queueing.DominantShare.Of"/>).</summary>
    public DominantShare DominantShare(ResourceList clusterCapacity) =>
        Queueing.DominantShare.Of(Usage, Queue.Quota, clusterCapacity, Queue.WeightMilli);
}
