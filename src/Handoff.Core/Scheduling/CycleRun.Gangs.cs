using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Scheduling;

/// <summary>Gangs (api.md, "Queues", rule 3): all ready members at once, or none holds anything.</summary>
internal sealed partial class CycleRun
{
    /// <summary>
    /// Decides a whole gang when its first member comes up: too few ready (members placed before count) → it waits
    /// (<c>GangWaiting</c>); the members' quota is checked together; their nodes are chosen one after another on a
    /// <see cref="CapacityOverlay"/> and allocated in one tracker transaction. When some do not fit and all may preempt,
    /// victims are looked for for each misfit — all found, or none evicted. Returns the lanes whose share moved.
    /// </summary>
    private IReadOnlyCollection<QueueLane> TakeGang(GangRef gang)
    {
        var members = _gangs[gang.Key].Where(w => !IsTaken(w)).ToList();
        foreach (var m in members)
        {
            _taken.Add(m.Id);
        }

        if (_gangs[gang.Key].Find(w => _blocked.ContainsKey(w.Id)) is { } blocked)
        {
            // A member waits behind a StrictFIFO head that did not fit: the gang cannot be placed whole.
            foreach (var m in members)
            {
                _unplaced.Add(Blocked(m, Reasons.BlockedByQueueHead, $"gang {gang.Name}: {ObjectKeys.NameOf(blocked.Id)}: {_blocked[blocked.Id]}"));
            }

            return [];
        }

        if (BehindUndecidedStrictHead(gang, members) is { } behind)
        {
            // A member (of a gang spanning queues) is behind a StrictFIFO head not decided yet: placing the gang now
            // would jump that queue's line, so it waits for the next cycle.
            var message = $"gang {gang.Name}: {ObjectKeys.NameOf(behind.Member.Id)}: {Messages.BlockedByQueueHead(behind.Member.Queue!, behind.Head.Id)}";
            foreach (var m in members)
            {
                _unplaced.Add(Blocked(m, Reasons.BlockedByQueueHead, message));
            }

            return [];
        }

        var minMembers = Math.Max(gang.MinMembers, _input.Gangs?.MinMembers(gang.Key) ?? 0);
        var ready = members.Count + (_input.Gangs?.Placed(gang.Key) ?? 0);
        if (ready < minMembers)
        {
            // Not in line yet: it blocks nothing, not even in a StrictFIFO queue (its other members may be behind it).
            foreach (var m in members)
            {
                _unplaced.Add(Blocked(m, Reasons.GangWaiting, Messages.GangWaiting(gang.Name, ready, minMembers)));
            }

            return [];
        }

        var quota = _quota;
        var checks = new Dictionary<string, QuotaCheck>(StringComparer.Ordinal);
        foreach (var m in members.Where(m => m.Queue is not null))
        {
            var check = quota.Check(m.Queue!, m.Placement.Cost);
            if (!check.Admissible)
            {
                GangNotPlaced(members, Reasons.QuotaExceeded, $"gang {gang.Name}: {check.Shortfall!.Message}");
                return [];
            }

            checks[m.Id] = check;
            quota = quota.Admit(m.Queue!, m.Placement.Cost);
        }

        var overlay = new CapacityOverlay(_view, _input.Tracker);
        var fit = new List<(Workload Workload, PlacementRequest Request, string Node, ResourceList Held)>();
        var misfits = new List<(Workload Workload, PlacementRequest Request, AllocationDecision Decision)>();
        var nodeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            var request = m.Placement;
            if (request.CollocateWith is { } target && request.CollocateNode is null)
            {
                var node = _placedThisCycle.GetValueOrDefault(target) ?? nodeOf.GetValueOrDefault(target) ?? _input.KnownPlacements?.GetValueOrDefault(target);
                if (node is null)
                {
                    misfits.Add((m, request, AllocationDecision.WaitForCollocation(request)));
                    continue;
                }

                request = request with { CollocateNode = node };
            }

            var decision = _allocators(m.Strategy).Allocate(request, _input.Nodes, overlay);
            if (!decision.Success)
            {
                misfits.Add((m, request, decision));
                continue;
            }

            var held = NodeEligibility.CostOn(request.Cost, _input.Nodes.Find(decision.Node!)!);
            overlay.Allocate(decision.Node!, held, m.Holder);
            fit.Add((m, request, decision.Node!, held));
            nodeOf[m.Id] = decision.Node!;
        }

        if (misfits.Count == 0 && overlay.Commit())
        {
            foreach (var (m, request, node, held) in fit)
            {
                Admit(m, request.Cost, node, held);
            }

            return [.. members.Select(m => _lanes[m.Queue ?? ""]).Distinct()];
        }

        if (misfits.Count == 0)
        {
            // The tracker changed under us: not placed in this cycle.
            var (m, request, _, _) = fit[0];
            misfits.Add((m, request, AllocationDecision.Rejected(request, _input.Nodes.Count, [], unschedulable: false, anyNodeMatchesConstraints: true)));
        }

        if (TryPreemptFor(gang, members, fit, misfits, overlay, checks))
        {
            return [];
        }

        var (first, _, why) = misfits[0];
        GangNotPlaced(members, why.WaitingForCollocation ? Reasons.WaitingForCollocation : Reasons.FailedScheduling,
            Messages.GangDoesNotFit(gang.Name, fit.Count, members.Count, first.Id, why.Message));
        return [];
    }

    private bool TryPreemptFor(
        GangRef gang,
        List<Workload> members,
        List<(Workload Workload, PlacementRequest Request, string Node, ResourceList Held)> fit,
        List<(Workload Workload, PlacementRequest Request, AllocationDecision Decision)> misfits,
        CapacityOverlay overlay,
        Dictionary<string, QuotaCheck> checks)
    {
        if (!members.TrueForAll(m => m.MayPreempt) || misfits.Exists(m => m.Decision.WaitingForCollocation))
        {
            return false;
        }

        var trial = new HashSet<AdmittedWorkload>();
        var choices = new List<(Workload Workload, PreemptionChoice Choice)>();
        foreach (var (m, request, _) in misfits)
        {
            var reclaimable = Reclaimable(m, checks.GetValueOrDefault(m.Id));
            if (!VictimSearch.MayHelp(m.Priority, reclaimable)
                || VictimSearch.Find(request, m.Strategy, m.Priority, reclaimable, overlay, trial) is not { } choice)
            {
                return false;
            }

            trial.UnionWith(choice.Victims);
            overlay.Reserve(choice.Node, choice.Need);
            choices.Add((m, choice));
        }

        var nominated = new Dictionary<string, (string Node, string Detail)>(StringComparer.Ordinal);
        foreach (var (m, choice) in choices)
        {
            VictimSearch.Commit(choice);
            _view.Reserve(choice.Node, choice.Need);
            if (choice.Victims.Count > 0)
            {
                _preemptions.Add(new Preemption(m, choice.Node, choice.Victims));
            }

            nominated[m.Id] = (choice.Node, choice.Victims.Count > 0
                ? Messages.Preempting(choice.Node, choice.Victims.Select(v => v.Id))
                : Messages.WaitingForVictims(choice.Node));
        }

        foreach (var (m, _, node, held) in fit)
        {
            _view.Reserve(node, held);
            nominated[m.Id] = (node, Messages.WaitingForVictims(node));
        }

        foreach (var m in members)
        {
            var (node, detail) = nominated[m.Id];
            var decision = misfits.Find(x => x.Workload == m).Decision ?? AllocationDecision.Chosen(node);
            NotPlaced(_lanes[m.Queue ?? ""], new Unplaced(m, Reasons.Preempting, decision) { Detail = $"gang {gang.Name}: {detail}", NominatedNode = node });
        }

        return true;
    }

    private void GangNotPlaced(List<Workload> members, string reason, string detail)
    {
        foreach (var m in members)
        {
            NotPlaced(_lanes[m.Queue ?? ""], Blocked(m, reason, detail));
        }
    }

    /// <summary>A member in a StrictFIFO lane with a workload of another gang (or none) still undecided ahead of it.</summary>
    private (Workload Member, Workload Head)? BehindUndecidedStrictHead(GangRef gang, List<Workload> members)
    {
        foreach (var m in members)
        {
            if (m.Queue is { } queue && _lanes.TryGetValue(queue, out var lane) && lane.Strict
                && lane.Remaining().FirstOrDefault(w => !IsTaken(w) && w.Gang?.Key != gang.Key) is { } head
                && QueueLane.ByPriorityThenOrder(head, m) < 0)
            {
                return (m, head);
            }
        }

        return null;
    }
}
