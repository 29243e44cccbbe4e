using Handoff.Core.Resources;

namespace Handoff.Chaos.Audit;

/// <summary>
/// What the journal says about one HandoffNode: each generation of its spec (capacity, cordon), the newest generation
/// the operator acknowledged (<c>status.observedGeneration</c>, written with the node's resourceVersion as precondition,
/// so it is exactly the spec the operator saw), and its latest status.
/// </summary>
internal sealed class NodeLedger(string name)
{
    private readonly List<(long Generation, ResourceList Capacity, bool Unschedulable)> _specs = [];

    public string Name { get; } = name;

    public string KubernetesNode { get; set; } = name;

    public long Acknowledged { get; set; }

    public bool Deleted { get; set; }

    public Dictionary<string, string> Allocated { get; set; } = [];

    public long Functions { get; set; }

    public void Spec(long generation, ResourceList capacity, bool unschedulable)
    {
        if (_specs.Count == 0 || _specs[^1].Generation != generation)
        {
            _specs.Add((generation, capacity, unschedulable));
        }
    }

    /// <summary>
    /// The capacity a binding is held to: a change the operator has not acknowledged yet may still be unseen by it (its
    /// cache lags the API server), so until then the larger of the capacities since the acknowledged generation counts.
    /// A cut binds from its acknowledgement on; a raise at once.
    /// </summary>
    public ResourceList Capacity()
    {
        var since = Unacknowledged();
        return since.Skip(1).Aggregate(since[0].Capacity, (max, s) => max.Max(s.Capacity));
    }

    /// <summary>True when every spec since the acknowledged one is cordoned: the operator knows it may place nothing here.</summary>
    public bool CordonAcknowledged() => Unacknowledged().All(s => s.Unschedulable);

    public string Describe() => $"HandoffNode {Name} (generations {string.Join(", ", _specs.Select(s => $"{s.Generation}: {s.Capacity}{(s.Unschedulable ? " cordoned" : "")}"))}; acknowledged {Acknowledged})";

    private List<(long Generation, ResourceList Capacity, bool Unschedulable)> Unacknowledged()
    {
        var since = _specs.Where(s => s.Generation >= Acknowledged).ToList();
        return since.Count > 0 ? since : [_specs[^1]];
    }
}
