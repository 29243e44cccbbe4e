using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Planning;

/// <summary>
/// <see cref="Planner"/>'s rules written out plainly, as the executable definition the optimized planner must match
/// (<see cref="PlannerEquivalencePropertyTests"/>): at every instant it ends what ends, then recomputes everything from
/// scratch — each function's dependency state with <see cref="DependencyResolver.Resolve"/> over the whole graph, the
/// ready set and each ready function's queue key — and runs one <see cref="SchedulingCycle"/> on the plain tracker.
/// Quadratic, but plainly what the rules say.
/// </summary>
internal static class ReferencePlanner
{
    private enum Status
    {
        Idle,
        Running,
        BackingOff,
        Succeeded,
        Failed,
        Unschedulable,
    }

    private sealed class State
    {
        public Status Status;
        public string? Node;
        public int Attempts;
        public TimeSpan? Start;
        public TimeSpan? End;
        public TimeSpan? RetryAt;
        public TimeSpan ReadySince;
        public Unplaced? LastUnplaced;
        public string? Reason;
        public string? Message;
    }

    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, CancellationToken cancellationToken)
    {
        var nodeSet = new NodeSet(nodes.Select(n => n with { Ready = true }));
        var fns = functions.ToList();
        var graph = new FunctionGraph(fns.Select(f => new FunctionDependencies(f.Id, f.Args) { CollocateWith = f.Placement.CollocateWith }));
        var tracker = new SimpleResourceTracker();
        foreach (var node in nodeSet)
        {
            tracker.SetNode(node.Name, node.Capacity);
        }

        var states = fns.Select(_ => new State()).ToArray();
        var events = new List<PlanEvent>();
        var placements = new Dictionary<string, string>(StringComparer.Ordinal);
        var peaks = nodeSet.ToDictionary(n => n.Name, n => ResourceList.FromMilli(n.Capacity.Select(kv => KeyValuePair.Create(kv.Key, 0L))), StringComparer.Ordinal);
        var now = TimeSpan.Zero;
        var makespan = TimeSpan.Zero;

        DependencyState[] Resolve() => DependencyResolver.Resolve(graph, [.. states.Select(s => s.Status switch
        {
            Status.Succeeded => ArgOutcome.Succeeded,
            Status.Failed => ArgOutcome.Failed,
            _ => ArgOutcome.Unfinished,
        })]);

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Ends, in (end, queue position) order.
            foreach (var i in Enumerable.Range(0, fns.Count).Where(i => states[i].Status == Status.Running && states[i].End == now))
            {
                var s = states[i];
                tracker.Release(fns[i].Id);
                if (!fns[i].Fails)
                {
                    events.Add(new PlanEvent(now, fns[i].Id, PlanEventKind.Succeeded, s.Node!, s.Attempts));
                    (s.Status, s.Reason, s.Message) = (Status.Succeeded, Reasons.Succeeded, $"Succeeded on {s.Node} (attempt {s.Attempts})");
                    continue;
                }

                events.Add(new PlanEvent(now, fns[i].Id, PlanEventKind.Failed, s.Node!, s.Attempts));
                var failure = Messages.AttemptFailed($"{fns[i].Id}-{s.Attempts}", null);
                if (fns[i].Retry.Retries(s.Attempts))
                {
                    s.RetryAt = now + fns[i].Retry.Backoff(s.Attempts);
                    (s.Status, s.Reason, s.Message) = (Status.BackingOff, Reasons.Retrying, Messages.Retrying(failure, s.Attempts, fns[i].Retry.MaxRetries, Planner.Start + s.RetryAt.Value));
                }
                else
                {
                    (s.Status, s.Reason, s.Message) = (Status.Failed, Reasons.RetriesExhausted, Messages.RetriesExhausted(failure, s.Attempts, fns[i].Retry.MaxRetries));
                }
            }

            // Failures (cycles, failed args) from scratch.
            var dependencies = Resolve();
            for (var i = 0; i < fns.Count; i++)
            {
                if (states[i].Status == Status.Idle && dependencies[i].FailsFunction)
                {
                    (states[i].Status, states[i].Reason, states[i].Message) = (Status.Failed, dependencies[i].Reason, dependencies[i].Message);
                }
            }

            // Ready: idle with every dependency met (ready since the later of creation and the last arg's end), or back from a back-off.
            var ready = new List<(Workload Workload, int Index)>();
            for (var i = 0; i < fns.Count; i++)
            {
                var s = states[i];
                if (s.Status == Status.BackingOff && s.RetryAt <= now)
                {
                    (s.Status, s.ReadySince) = (Status.Idle, s.RetryAt.Value);
                }
                else if (s.Status == Status.Idle && s.Attempts == 0 && dependencies[i].Status == DependencyStatus.Ready)
                {
                    var argsEnd = graph.ArgsOf(fns[i].Id).Select(a => states[graph.IndexOf(a)].End!.Value).DefaultIfEmpty(TimeSpan.Zero).Max();
                    s.ReadySince = argsEnd > fns[i].Created ? argsEnd : fns[i].Created;
                }

                if (s.Status == Status.Idle && dependencies[i].Status == DependencyStatus.Ready)
                {
                    ready.Add((new Workload(fns[i].Placement, fns[i].Strategy, new QueueOrderKey(Planner.Start + s.ReadySince, Planner.Start + fns[i].Created, fns[i].Id)), i));
                }
            }

            var result = SchedulingCycle.Run(new CycleInput(nodeSet, tracker, [.. ready.Select(r => r.Workload)]) { KnownPlacements = placements }, cancellationToken);
            foreach (var placed in result.Placed)
            {
                var i = graph.IndexOf(placed.Workload.Id);
                var s = states[i];
                s.Status = Status.Running;
                s.Node = placed.Node;
                s.Attempts++;
                (s.Start, s.End, s.LastUnplaced) = (now, now + fns[i].Duration, null);
                placements[placed.Workload.Id] = placed.Node;
                makespan = s.End.Value > makespan ? s.End.Value : makespan;
                events.Add(new PlanEvent(now, placed.Workload.Id, PlanEventKind.Started, placed.Node, s.Attempts));
                peaks[placed.Node] = peaks[placed.Node].Max(tracker.GetNode(placed.Node)!.Allocated);
            }

            foreach (var unplaced in result.Unplaced)
            {
                var s = states[graph.IndexOf(unplaced.Workload.Id)];
                s.LastUnplaced = unplaced;
                if (unplaced.Reason == Reasons.Unschedulable)
                {
                    s.Status = Status.Unschedulable;
                }
            }

            var next = states.Where(s => s.Status == Status.Running).Select(s => s.End!.Value)
                .Concat(states.Where(s => s.Status == Status.BackingOff).Select(s => s.RetryAt!.Value))
                .DefaultIfEmpty(TimeSpan.MaxValue).Min();
            if (next == TimeSpan.MaxValue)
            {
                break;
            }

            now = next;
        }

        var final = Resolve();
        var plans = fns.Select((f, i) =>
        {
            var s = states[i];
            var (phase, reason, message) = s.Status switch
            {
                Status.Succeeded => (FunctionPhase.Succeeded, s.Reason!, s.Message!),
                Status.Failed => (FunctionPhase.Failed, s.Reason!, s.Message!),
                Status.Idle when final[i].Status != DependencyStatus.Ready => (FunctionPhase.Waiting, final[i].Reason!, final[i].Message!),
                _ => (FunctionPhase.Pending, s.LastUnplaced?.Reason ?? Reasons.FailedScheduling, s.LastUnplaced?.Message ?? "never placed"),
            };
            return new FunctionPlan(f.Id, phase, s.Node, s.Attempts, s.Start, s.End, reason, message);
        }).ToList();
        return new PlanResult(plans, [.. nodeSet.Select(n => new NodePlan(n.Name, n.Capacity, peaks[n.Name]))], events, makespan);
    }
}
