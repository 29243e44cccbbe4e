using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;

namespace Handoff.Core.Planning;

/// <summary>The planner's part of api.md, "Queues": what the cycle is given, gangs that can no longer run, evictions, queue usage over time.</summary>
public static partial class Planner
{
    private sealed partial class Simulation
    {
        // What holds capacity: the running attempts, with their queue, priority and gang. Only a plan with queues or
        // priorities needs them (quota, fair share, preemption); without, the first round's cycle needs none, and a
        // large plan does not pay a scan of every attempt at every instant.
        private List<AdmittedWorkload> Admitted()
        {
            if (!_queueing)
            {
                return [];
            }

            var admitted = new List<AdmittedWorkload>(_runningNow.Count);
            foreach (var i in _runningNow)
            {
                var s = _states[i];
                var w = s.Workload!;
                admitted.Add(new AdmittedWorkload(w.Id, w.Holder, s.Node!, w.Placement.Cost) { Priority = w.Priority, Queue = w.Queue, Gang = w.Gang?.Key });
            }

            return admitted;
        }

        // The gangs' bookkeeping from the states (running or succeeded members count as placed).
        private GangBook Gangs()
        {
            if (_gangMembers.Count == 0)
            {
                return GangBook.Empty;
            }

            var members = new List<GangMember>(_gangMembers.Count);
            foreach (var i in _gangMembers)
            {
                if (_functions[i].Traits.Gang is { } gang)
                {
                    var state = _states[i].Status switch
                    {
                        Status.Running or Status.Succeeded => GangMemberState.Placed,
                        Status.Failed => GangMemberState.Failed,
                        _ => GangMemberState.Unplaced,
                    };
                    members.Add(new GangMember(_functions[i].Id, gang.Key, gang.MinMembers, state));
                }
            }

            return new GangBook(members);
        }

        // Ready members of a gang that can no longer reach minMembers fail (GangFailed), as the operator fails them.
        private void FailBrokenGangs()
        {
            if (_gangMembers.Count == 0)
            {
                return;
            }

            var book = Gangs();
            foreach (var (order, i) in _ready.ToList())
            {
                if (book.FailureOf(_functions[i].Id) is { } failure)
                {
                    _ready.Remove((order, i));
                    Fail(i, Reasons.GangFailed, failure);
                }
            }
        }

        // A victim leaves now: its capacity is released and it is ready again under the same attempt, in its old place in line.
        private void Evict(int i)
        {
            var s = _states[i];
            if (s.Status != Status.Running)
            {
                return;
            }

            _tracker.Release(_functions[i].Id);
            _runningNow.Remove(i);
            _events.Add(new PlanEvent(_now, _functions[i].Id, PlanEventKind.Preempted, s.Node!, s.Attempts));
            s.Attempts--;
            s.End = null;
            AddReady(i, s.ReadySince);
        }

        // Each queue whenever a cycle changed it.
        private void RecordQueues(CycleResult result)
        {
            foreach (var q in result.Queues)
            {
                var plan = new QueuePlan(_now, q.Queue, q.Pending, q.Admitted, q.Usage, q.Borrowed);
                if (_lastQueuePlan.TryGetValue(q.Queue, out var last) && last with { Time = _now } == plan)
                {
                    continue;
                }

                if (last is not null && last.Time == _now)
                {
                    _queuePlans.Remove(last);
                }

                _lastQueuePlan[q.Queue] = plan;
                _queuePlans.Add(plan);
            }
        }
    }
}
