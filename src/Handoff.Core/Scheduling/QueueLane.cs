using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Core.Scheduling;

/// <summary>
/// One queue's line within a cycle: its pending workloads by priority (highest first), then queue order; what it holds
/// (usage, admitted count) and its weighted dominant share, kept current as the cycle admits.
/// </summary>
internal sealed class QueueLane
{
    private readonly Workload[] _items;
    private readonly ResourceList _clusterCapacity;
    private int _next;

    public QueueLane(QueueQuota queue, IEnumerable<Workload> items, ResourceList clusterCapacity)
    {
        Queue = queue;
        _items = [.. items];
        Array.Sort(_items, ByPriorityThenOrder);
        _clusterCapacity = clusterCapacity;
        Share = DominantShare.Zero;
    }

    /// <summary>Higher priority first, then <see cref="QueueOrderKey"/>.</summary>
    public static int ByPriorityThenOrder(Workload a, Workload b)
    {
        var c = b.Priority.CompareTo(a.Priority);
        return c != 0 ? c : a.Order.CompareTo(b.Order);
    }

    public QueueQuota Queue { get; }

    /// <summary>"" for the implicit queue.</summary>
    public string Name => Queue.Name;

    public bool Strict => Queue.Strategy == QueueingStrategy.StrictFIFO;

    public ResourceList Usage { get; private set; } = ResourceList.Empty;

    public int Admitted { get; private set; }

    public DominantShare Share { get; private set; }

    /// <summary>The key this lane is filed under in the current level's set, while it is.</summary>
    public (DominantShare Share, string Name)? Filed { get; set; }

    /// <summary>True once a StrictFIFO head did not fit: nothing behind it is tried.</summary>
    public bool Blocked { get; set; }

    public IReadOnlyList<Workload> Items => _items;

    /// <summary>The next workload not yet taken by the cycle, skipping those <paramref name="taken"/> says it took.</summary>
    public Workload? Peek(Func<Workload, bool> taken)
    {
        while (_next < _items.Length && taken(_items[_next]))
        {
            _next++;
        }

        return _next < _items.Length ? _items[_next] : null;
    }

    /// <summary>Takes the workload <see cref="Peek"/> returned.</summary>
    public void Advance() => _next++;

    /// <summary>The workloads not yet taken, from the next one on.</summary>
    public IEnumerable<Workload> Remaining()
    {
        for (var i = _next; i < _items.Length; i++)
        {
            yield return _items[i];
        }
    }

    /// <summary>Counts what the queue holds (before the cycle, or placed by it) and moves its share.</summary>
    public void Hold(ResourceList cost)
    {
        Usage = Usage.Add(cost);
        Admitted++;
        Share = DominantShare.Of(Usage, Queue.Quota, _clusterCapacity, Queue.WeightMilli);
    }
}
