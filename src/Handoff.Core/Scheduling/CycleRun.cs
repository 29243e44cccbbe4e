using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Scheduling;

/// <summary>
/// One run of <see cref="SchedulingCycle"/>: the queues' lanes, the quota and share bookkeeping, and the decisions in
/// the order they are made. Gangs are in <c>CycleRun.Gangs.cs</c>, victim selection in <see cref="PreemptionSearch"/>.
/// </summary>
internal sealed partial class CycleRun
{
    private readonly CycleInput _input;
    private readonly Func<AllocationStrategy, IAllocator> _allocators;
    private readonly bool _reuseFailedDecisions;
    private readonly List<Placement> _placed = [];
    private readonly List<Unplaced> _unplaced = [];
    private readonly List<Preemption> _preemptions = [];
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    // Workloads blocked behind a StrictFIFO head, with why: a gang with such a member is not placed.
    private readonly Dictionary<string, string> _blocked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _placedThisCycle = new(StringComparer.Ordinal);
    private readonly Dictionary<RequestShape, AllocationDecision> _failedShapes = [];
    private readonly Dictionary<string, QueueLane> _lanes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Workload>> _gangs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _borrowingAtStart = new(StringComparer.Ordinal);
    // Built on first use: indexing every admitted workload by node is most of a cycle in which nothing needs room (a
    // pass over thousands of running functions and a few new ones that fit), and its inputs do not change in the cycle.
    private PreemptionSearch? _preemptionSearch;

    // What allocators and preemption read: the tracker, less what preemptors of this cycle wait for on their nodes.
    private readonly CapacityOverlay _view;
    private QuotaSnapshot _quota;

    public CycleRun(CycleInput input)
    {
        _input = input;
        _allocators = input.Allocators ?? Allocation.Allocators.For;
        _reuseFailedDecisions = input.Allocators is null;
        var queues = input.Queues ?? new Dictionary<string, QueueQuota>();
        // Without queues the one lane is the implicit one: its share orders it against no other lane, so neither the
        // cluster's capacity nor what the admitted workloads hold is summed (each a walk over thousands, every pass).
        var sharesMatter = queues.Count > 0;
        var clusterCapacity = sharesMatter ? ClusterCapacity(input) : ResourceList.Empty;

        foreach (var group in input.Pending.GroupBy(w => w.Queue ?? "", StringComparer.Ordinal))
        {
            var spec = group.Key.Length == 0 ? QueueQuota.Implicit : queues.GetValueOrDefault(group.Key);
            if (spec is null)
            {
                // Checked before the cycle (QueueAdmission); a caller that did not is told here.
                foreach (var w in group)
                {
                    _taken.Add(w.Id);
                    _unplaced.Add(Blocked(w, Reasons.UnknownQueue, Messages.UnknownQueue(group.Key)));
                }

                continue;
            }

            _lanes[group.Key] = new QueueLane(spec, group, clusterCapacity);
        }

        foreach (var (name, spec) in queues)
        {
            if (!_lanes.ContainsKey(name))
            {
                _lanes[name] = new QueueLane(spec, [], clusterCapacity);
            }
        }

        var usage = new Dictionary<string, ResourceList>(StringComparer.Ordinal);
        if (sharesMatter)
        {
            foreach (var a in input.Admitted)
            {
                if (_lanes.TryGetValue(a.Queue ?? "", out var lane))
                {
                    lane.Hold(a.Cost);
                    usage[lane.Name] = lane.Usage;
                }
            }
        }

        _quota = new QuotaSnapshot(queues.Values.Select(q => new QueueQuotaState(q, usage.GetValueOrDefault(q.Name) ?? ResourceList.Empty)));
        foreach (var state in _quota.Queues.Where(s => s.IsBorrowing))
        {
            _borrowingAtStart.Add(state.Queue.Name);
        }

        foreach (var w in input.Pending.Where(w => w.Gang is not null && !_taken.Contains(w.Id)))
        {
            if (!_gangs.TryGetValue(w.Gang!.Key, out var members))
            {
                _gangs[w.Gang.Key] = members = [];
            }

            members.Add(w);
        }

        foreach (var members in _gangs.Values)
        {
            members.Sort(QueueLane.ByPriorityThenOrder);
        }

        _view = new CapacityOverlay(input.Tracker);
    }

    private PreemptionSearch VictimSearch => _preemptionSearch ??= new PreemptionSearch(_input.Nodes, _input.Admitted);

    public CycleResult Run(CancellationToken cancellationToken)
    {
        var levels = _lanes.Values.SelectMany(l => l.Items).Select(w => w.Priority).Distinct().OrderDescending().ToList();
        foreach (var level in levels)
        {
            // Within a priority level: the lane with the lowest weighted dominant share (then name) goes next.
            var filed = new SortedSet<(DominantShare Share, string Name)>(Comparer<(DominantShare, string)>.Create(
                (a, b) => a.Item1.CompareTo(b.Item1) is var c and not 0 ? c : string.CompareOrdinal(a.Item2, b.Item2)));
            foreach (var lane in _lanes.Values)
            {
                File(lane, level, filed);
            }

            while (filed.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (_, name) = filed.Min;
                filed.Remove(filed.Min);
                var lane = _lanes[name];
                lane.Filed = null;
                if (lane.Peek(IsTaken) is not { } workload || workload.Priority != level)
                {
                    // Its head was taken with a gang decided from another lane since it was filed.
                    continue;
                }

                lane.Advance();
                var moved = Take(workload, lane);
                foreach (var changed in moved)
                {
                    if (changed.Filed is { } key && filed.Remove(key))
                    {
                        changed.Filed = null;
                        File(changed, level, filed);
                    }
                }

                File(lane, level, filed);
            }
        }

        var pending = _unplaced.Where(u => u.Workload.Queue is not null).GroupBy(u => u.Workload.Queue!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new CycleResult(_placed, WithPositions())
        {
            Preemptions = _preemptions,
            Queues = [.. _lanes.Values.Where(l => l.Name.Length > 0).OrderBy(l => l.Name, StringComparer.Ordinal)
                .Select(l => new QueueUsage(l.Name, pending.GetValueOrDefault(l.Name), l.Admitted, l.Usage, new QueueQuotaState(l.Queue, l.Usage).Borrowed))],
        };
    }

    private bool IsTaken(Workload w) => _taken.Contains(w.Id);

    /// <summary>Files a lane in the level's set when its next workload is of that level.</summary>
    private void File(QueueLane lane, int level, SortedSet<(DominantShare Share, string Name)> filed)
    {
        if (lane.Blocked || lane.Filed is not null || lane.Peek(IsTaken) is not { } next || next.Priority != level)
        {
            return;
        }

        var key = (lane.Share, lane.Name);
        filed.Add(key);
        lane.Filed = key;
    }

    /// <summary>Decides one workload (a gang member: its whole gang); returns the lanes whose share moved.</summary>
    private IReadOnlyCollection<QueueLane> Take(Workload workload, QueueLane lane)
    {
        if (workload.Gang is { } gang)
        {
            return TakeGang(gang);
        }

        _taken.Add(workload.Id);
        var request = workload.Placement;
        if (request.CollocateWith is { } target && request.CollocateNode is null)
        {
            var node = _placedThisCycle.GetValueOrDefault(target) ?? _input.KnownPlacements?.GetValueOrDefault(target);
            if (node is null)
            {
                _unplaced.Add(new Unplaced(workload, Reasons.WaitingForCollocation, AllocationDecision.WaitForCollocation(request)));
                return [];
            }

            request = request with { CollocateNode = node };
        }

        var check = workload.Queue is { } queue ? _quota.Check(queue, request.Cost) : null;
        if (check is { Admissible: false })
        {
            NotPlaced(lane, Blocked(workload, Reasons.QuotaExceeded, check.Shortfall!.Message));
            return [];
        }

        var decision = Allocate(workload, request);
        if (decision.Success)
        {
            var node = _input.Nodes.Find(decision.Node!)!;
            var held = NodeEligibility.CostOn(request.Cost, node);
            if (_input.Tracker.TryAllocate(node.Name, held, workload.Holder))
            {
                Admit(workload, request.Cost, node.Name, held);
                return [lane];
            }

            // The holder already holds something (the caller keeps held workloads out of Pending), or the tracker
            // changed under us: report it as not placed in this cycle.
            decision = AllocationDecision.Rejected(request, _input.Nodes.Count, [], unschedulable: false, anyNodeMatchesConstraints: true);
        }

        var reclaimable = Reclaimable(workload, check);
        if (workload.MayPreempt && VictimSearch.MayHelp(workload.Priority, reclaimable)
            && VictimSearch.Find(request, workload.Strategy, workload.Priority, reclaimable, _view) is { } choice)
        {
            VictimSearch.Commit(choice);
            _view.Reserve(choice.Node, choice.Need);
            NotPlaced(lane, Preempting(workload, choice, decision));
            return [];
        }

        NotPlaced(lane, Pending(workload, decision));
        return [];
    }

    private AllocationDecision Allocate(Workload workload, PlacementRequest request)
    {
        var shape = new RequestShape(request, workload.Strategy);
        if (_reuseFailedDecisions && _failedShapes.TryGetValue(shape, out var known))
        {
            return known;
        }

        var decision = _allocators(workload.Strategy).Allocate(request, _input.Nodes, _view);
        if (!decision.Success && _reuseFailedDecisions)
        {
            _failedShapes[shape] = decision;
        }

        return decision;
    }

    /// <summary>Records a placement: the queue's usage and share move, and failed decisions may no longer hold.</summary>
    private void Admit(Workload workload, ResourceList cost, string node, ResourceList held)
    {
        _placed.Add(new Placement(workload, node, held));
        _placedThisCycle[workload.Id] = node;
        _failedShapes.Clear();
        _lanes[workload.Queue ?? ""].Hold(cost);
        if (workload.Queue is { } queue)
        {
            _quota = _quota.Admit(queue, cost);
        }
    }

    /// <summary>The queues a preemptor may take its quota back from: its cohort's borrowers, when it is within its own quota.</summary>
    private IReadOnlySet<string>? Reclaimable(Workload workload, QuotaCheck? check)
    {
        if (check?.Mode != QuotaFitMode.Fit || workload.Queue is not { } queue || _quota[queue].Queue.Cohort is not { Length: > 0 } cohort)
        {
            return null;
        }

        var borrowers = _quota.CohortMembers(cohort).Where(q => q != queue && _borrowingAtStart.Contains(q)).ToHashSet(StringComparer.Ordinal);
        return borrowers.Count > 0 ? borrowers : null;
    }

    private Unplaced Preempting(Workload workload, PreemptionChoice choice, AllocationDecision decision)
    {
        if (choice.Victims.Count > 0)
        {
            _preemptions.Add(new Preemption(workload, choice.Node, choice.Victims));
        }

        var detail = choice.Victims.Count > 0 ? Messages.Preempting(choice.Node, choice.Victims.Select(v => v.Id)) : Messages.WaitingForVictims(choice.Node);
        return new Unplaced(workload, Reasons.Preempting, decision) { Detail = detail, NominatedNode = choice.Node };
    }

    /// <summary>A workload not placed; in a StrictFIFO queue, everything behind it waits too.</summary>
    private void NotPlaced(QueueLane lane, Unplaced unplaced)
    {
        _unplaced.Add(unplaced);
        if (lane.Strict && unplaced.Reason is not (Reasons.WaitingForCollocation or Reasons.GangWaiting))
        {
            Block(lane, unplaced.Workload);
        }
    }

    private void Block(QueueLane lane, Workload head)
    {
        lane.Blocked = true;
        var message = Messages.BlockedByQueueHead(lane.Name, head.Id);
        foreach (var behind in lane.Remaining().Where(w => !IsTaken(w)).ToList())
        {
            _taken.Add(behind.Id);
            _blocked[behind.Id] = message;
            _unplaced.Add(Blocked(behind, Reasons.BlockedByQueueHead, message));
        }
    }

    /// <summary>The capacity of every node the tracker knows, summed (what queue shares are fractions of).</summary>
    private static ResourceList ClusterCapacity(CycleInput input)
    {
        var total = ResourceList.Empty;
        foreach (var node in input.Nodes)
        {
            if (input.Tracker.TryGetCapacity(node.Name, out var capacity, out _))
            {
                total = total.Add(capacity);
            }
        }

        return total;
    }

    private static Unplaced Blocked(Workload workload, string reason, string detail) =>
        new(workload, reason, AllocationDecision.Rejected(workload.Placement, 0, [], unschedulable: false, anyNodeMatchesConstraints: true)) { Detail = detail };

    private static Unplaced Pending(Workload workload, AllocationDecision decision) =>
        new(workload, decision.WaitingForCollocation ? Reasons.WaitingForCollocation
            : decision.Unschedulable ? Reasons.Unschedulable : Reasons.FailedScheduling, decision);

    /// <summary>The unplaced in decision order, each of a HandoffQueue with its position in it (priority, then queue order).</summary>
    private List<Unplaced> WithPositions()
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in _unplaced.Where(u => u.Workload.Queue is not null).GroupBy(u => u.Workload.Queue!, StringComparer.Ordinal))
        {
            var position = 0;
            foreach (var u in group.Select(u => u.Workload).Order(Comparer<Workload>.Create(QueueLane.ByPriorityThenOrder)))
            {
                positions[u.Id] = ++position;
            }
        }

        return [.. _unplaced.Select(u => positions.TryGetValue(u.Workload.Id, out var p) ? u with { Position = p } : u)];
    }

    /// <summary>
    /// Everything of a request a decision depends on besides its id: requests of one shape get the same decision on
    /// the same nodes and tracker state. Node selectors compare by reference (equal copies just miss the shortcut).
    /// </summary>
    private readonly record struct RequestShape(
        ResourceList Cost,
        IReadOnlyDictionary<string, string>? NodeSelector,
        string? Node,
        string? CollocateWith,
        string? CollocateNode,
        object Tolerations,
        Nodes.RequiredNodeAffinity? Affinity,
        AllocationStrategy Strategy)
    {
        public RequestShape(PlacementRequest request, AllocationStrategy strategy)
            : this(request.Cost, request.NodeSelector, request.Node, request.CollocateWith, request.CollocateNode, request.Tolerations, request.Affinity, strategy)
        {
        }
    }
}
