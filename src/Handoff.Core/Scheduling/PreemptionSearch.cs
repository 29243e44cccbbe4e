using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Scheduling;

/// <summary>Where a preemptor goes and whom it evicts (empty: what already leaves there makes room).</summary>
internal sealed record PreemptionChoice(string Node, ResourceList Need, IReadOnlyList<AdmittedWorkload> Victims);

/// <summary>
/// Victim selection (api.md, "Queues", rule 4), over what holds capacity at the start of the cycle:
/// <list type="bullet">
/// <item><b>Candidates</b> of a preemptor: preemptible admitted workloads of strictly lower priority; and, for quota
/// reclaim (the preemptor's queue is within its own quota with the cost added), workloads of the other queues of its
/// cohort that borrow (any priority: they hold quota that is the preemptor's queue's own). A gang is one candidate:
/// all its admitted members, or none.</item>
/// <item><b>Soon free</b>: candidates that are already leaving (terminating, or evicted earlier in this cycle) count as
/// free; what preemptors nominated there earlier in the cycle wait for does not (the cycle's view reserves it). When
/// that alone makes room, the preemptor waits there and evicts nothing more (kube-scheduler's rule for a nominated
/// node).</item>
/// <item>On each eligible node whose total capacity fits: if evicting every candidate there would still not make room,
/// nothing is evicted there; else candidates are kept back ("reprieved") from the most important down — higher
/// priority first, then the smaller first, so the fewest are evicted — while the preemptor still fits; the rest are the
/// victims. The node is the first in the strategy's order: name order for FirstAvailable; for LoadBalanced and BestFit
/// the one the strategy's score prefers with the victims gone (ties in name order).</item>
/// </list>
/// A failed search is remembered per request shape, priority and reclaim scope: in a cycle capacity only fills and
/// candidates only go, so it fails again.
/// </summary>
internal sealed class PreemptionSearch
{
    private readonly NodeSet _nodes;
    private readonly Dictionary<string, List<(AdmittedWorkload Workload, ResourceList Held)>> _byNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<AdmittedWorkload>> _gangMembers = new(StringComparer.Ordinal);
    private readonly HashSet<AdmittedWorkload> _evicted = [];
    private readonly HashSet<object> _failed = [];
    private readonly int _lowestPriority = int.MaxValue;
    private readonly bool _anyPreemptible;

    public PreemptionSearch(NodeSet nodes, IReadOnlyList<AdmittedWorkload> admitted)
    {
        _nodes = nodes;
        foreach (var a in admitted)
        {
            if (!a.Preemptible || nodes.Find(a.Node) is not { } node)
            {
                continue;
            }

            _anyPreemptible = true;
            _lowestPriority = Math.Min(_lowestPriority, a.Priority);
            if (!_byNode.TryGetValue(a.Node, out var list))
            {
                _byNode[a.Node] = list = [];
            }

            list.Add((a, NodeEligibility.CostOn(a.Cost, node)));
            if (a.Gang is { } gang && !a.Terminating)
            {
                if (!_gangMembers.TryGetValue(gang, out var members))
                {
                    _gangMembers[gang] = members = [];
                }

                members.Add(a);
            }
        }
    }

    /// <summary>Whether any search can find something for this priority and reclaim scope (cheap).</summary>
    public bool MayHelp(int priority, IReadOnlySet<string>? reclaimable) =>
        _anyPreemptible && (_lowestPriority < priority || reclaimable is { Count: > 0 });

    /// <summary>Every workload evicted so far in this cycle.</summary>
    public IReadOnlySet<AdmittedWorkload> Evicted => _evicted;

    /// <summary>
    /// Finds room for <paramref name="request"/>, availability read from <paramref name="capacity"/>: the cycle's view
    /// (the tracker less what earlier preemptors wait for), or a gang's overlay over it. <paramref name="trial"/> holds
    /// the victims of a gang's members chosen so far: they count as leaving, and the caller commits them only when the
    /// whole gang found room.
    /// </summary>
    public PreemptionChoice? Find(
        PlacementRequest request, AllocationStrategy strategy, int priority, IReadOnlySet<string>? reclaimable, ICapacityQuery capacity, IReadOnlySet<AdmittedWorkload>? trial = null)
    {
        var memo = (request.Cost, request.NodeSelector, request.Node, request.CollocateNode, request.Tolerations, request.Affinity, strategy, priority,
            reclaimable is null ? "" : string.Join(",", reclaimable.Order(StringComparer.Ordinal)));
        if (trial is null && _failed.Contains(memo))
        {
            return null;
        }

        PreemptionChoice? best = null;
        var bestScore = default(Fraction);
        var candidates = (request.Node ?? request.CollocateNode) is { } pinned
            ? _nodes.Find(pinned) is { } only ? [only] : []
            : (IEnumerable<NodeInfo>)_nodes;
        foreach (var node in candidates)
        {
            if (!NodeEligibility.IsEligible(request, node) || !capacity.TryGetCapacity(node.Name, out var total, out var available))
            {
                continue;
            }

            var need = NodeEligibility.CostOn(request.Cost, node);
            if (!need.FitsIn(total) || OnNode(node, need, total, available, priority, reclaimable, trial) is not { } choice)
            {
                continue;
            }

            if (strategy == AllocationStrategy.FirstAvailable)
            {
                best = choice.Choice;
                break;
            }

            var score = FreeFraction.After(need, total, choice.After);
            var preference = strategy == AllocationStrategy.LoadBalanced ? FreeFractionPreference.Highest : FreeFractionPreference.Lowest;
            if (best is null || preference.Prefers(score, bestScore))
            {
                best = choice.Choice;
                bestScore = score;
            }
        }

        if (best is null && trial is null)
        {
            _failed.Add(memo);
        }

        return best;
    }

    /// <summary>Records a choice: its victims are evicted (the caller reserves its need on the node).</summary>
    public void Commit(PreemptionChoice choice) => _evicted.UnionWith(choice.Victims);

    private bool IsCandidate(AdmittedWorkload a, int priority, IReadOnlySet<string>? reclaimable) =>
        a.Priority < priority || (a.Queue is { } queue && reclaimable?.Contains(queue) == true);

    private (PreemptionChoice Choice, ResourceList After)? OnNode(
        NodeInfo node, ResourceList need, ResourceList total, ResourceList available, int priority, IReadOnlySet<string>? reclaimable, IReadOnlySet<AdmittedWorkload>? trial)
    {
        var room = available;
        var units = new List<(List<AdmittedWorkload> Members, int Priority, ResourceList Here)>();
        var seenGangs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (a, held) in _byNode.GetValueOrDefault(node.Name) ?? [])
        {
            if (!IsCandidate(a, priority, reclaimable))
            {
                continue;
            }

            if (a.Terminating || _evicted.Contains(a) || trial?.Contains(a) == true)
            {
                room = room.Add(held);
                continue;
            }

            if (a.Gang is not { } gang)
            {
                units.Add(([a], a.Priority, held));
            }
            else if (seenGangs.Add(gang) && Gang(gang, node, priority, reclaimable, trial) is { } unit)
            {
                units.Add(unit);
            }
        }

        if (need.FitsIn(room))
        {
            return (new PreemptionChoice(node.Name, need, []), room);
        }

        var all = units.Aggregate(room, (r, u) => r.Add(u.Here));
        if (!need.FitsIn(all))
        {
            return null;
        }

        // Keep back the most important first; among equals the smaller first, so that the fewest are evicted.
        units.Sort((x, y) =>
        {
            var c = y.Priority.CompareTo(x.Priority);
            if (c == 0)
            {
                c = Size(x.Here, need, total).CompareTo(Size(y.Here, need, total));
            }

            return c != 0 ? c : string.CompareOrdinal(x.Members[0].Id, y.Members[0].Id);
        });
        var victims = new List<AdmittedWorkload>();
        var after = all;
        foreach (var unit in units)
        {
            var kept = after.Subtract(unit.Here);
            if (need.FitsIn(kept))
            {
                after = kept;
            }
            else
            {
                victims.AddRange(unit.Members);
            }
        }

        return (new PreemptionChoice(node.Name, need, victims), after);
    }

    /// <summary>A gang with a member on <paramref name="node"/>: a candidate only when every admitted member is one.</summary>
    private (List<AdmittedWorkload> Members, int Priority, ResourceList Here)? Gang(
        string gang, NodeInfo node, int priority, IReadOnlySet<string>? reclaimable, IReadOnlySet<AdmittedWorkload>? trial)
    {
        var members = _gangMembers[gang].Where(m => !_evicted.Contains(m) && trial?.Contains(m) != true).ToList();
        if (members.Count == 0 || !members.TrueForAll(m => IsCandidate(m, priority, reclaimable)))
        {
            return null;
        }

        var here = ResourceList.Empty;
        foreach (var m in members.Where(m => m.Node == node.Name))
        {
            here = here.Add(NodeEligibility.CostOn(m.Cost, node));
        }

        return (members, members.Max(m => m.Priority), here);
    }

    /// <summary>How much of the node a unit takes, measured on the resources the preemptor needs (its largest fraction).</summary>
    private static Fraction Size(ResourceList held, ResourceList need, ResourceList total)
    {
        var size = new Fraction(0, 1);
        foreach (var (name, amount) in need)
        {
            if (amount > 0)
            {
                var f = new Fraction(held[name], Math.Max(1, total[name]));
                size = f > size ? f : size;
            }
        }

        return size;
    }
}
