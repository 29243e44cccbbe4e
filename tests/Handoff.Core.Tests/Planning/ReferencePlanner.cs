using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Planning;

/// <summary>
/// The planner as it was first written, kept as the executable definition of <see cref="Planner"/>'s rules: it
/// recomputes the ready set from the whole graph at every instant, scans a list of running attempts, and uses the
/// plain <see cref="SimpleResourceTracker"/>. Quadratic, but plainly what the rules say; the optimized planner must
/// produce exactly its result (<see cref="PlannerEquivalencePropertyTests"/>).
/// </summary>
internal static class ReferencePlanner
{
    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, CancellationToken cancellationToken)
    {
        var nodeSet = new NodeSet(nodes.Select(n => n with { Ready = true }));
        var fns = functions.ToList();
        var graph = new FunctionGraph(fns.Select(f => new FunctionDependencies(f.Id, f.Args)));
        var tracker = new SimpleResourceTracker();
        foreach (var node in nodeSet)
        {
            tracker.SetNode(node.Name, node.Capacity);
        }

        var scheduler = new FunctionScheduler(tracker);
        var byId = fns.ToDictionary(f => f.Id, StringComparer.Ordinal);
        var position = fns.Select((f, i) => (f.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var states = fns.ToDictionary(f => f.Id, _ => new PlanState(), StringComparer.Ordinal);
        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<PlanEvent>();
        var peaks = nodeSet.ToDictionary(n => n.Name, n => ResourceList.FromMilli(n.Capacity.Select(kv => KeyValuePair.Create(kv.Key, 0L))), StringComparer.Ordinal);

        void Fail(string id, string reason, string message)
        {
            var s = states[id];
            s.Status = PlanStatus.Failed;
            s.Reason = reason;
            s.Message = message;
            failed.Add(id);
            foreach (var dependent in graph.TransitiveDependents(id))
            {
                var d = states[dependent];
                if (d.Status is PlanStatus.Idle)
                {
                    d.Status = PlanStatus.Failed;
                    d.Reason = "DependencyFailed";
                    d.Message = $"DependencyFailed: {id} {(reason == "DependencyCycle" ? "is in a dependency cycle" : "failed")}";
                    failed.Add(dependent);
                }
            }
        }

        var cycleMembers = graph.Ids.Where(graph.IsInCycle).ToList();
        foreach (var id in cycleMembers)
        {
            var s = states[id];
            s.Status = PlanStatus.Failed;
            s.Reason = "DependencyCycle";
            s.Message = "DependencyCycle: " + FunctionGraph.FormatCycle(graph.CycleOf(id)!);
            failed.Add(id);
        }

        foreach (var id in cycleMembers)
        {
            Fail(id, "DependencyCycle", states[id].Message!);
        }

        var running = new List<(string Id, TimeSpan End)>();
        var now = TimeSpan.Zero;
        var makespan = TimeSpan.Zero;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // 1. Every attempt ending now ends and releases its capacity (queue order).
            foreach (var (id, _) in running.Where(r => r.End == now).OrderBy(r => position[r.Id]).ToList())
            {
                running.RemoveAll(r => r.Id == id);
                tracker.Release(id);
                var s = states[id];
                var f = byId[id];
                if (f.Fails)
                {
                    events.Add(new PlanEvent(now, id, PlanEventKind.Failed, s.Node!, s.Attempts));
                    if (s.Attempts <= f.MaxRetries)
                    {
                        s.Status = PlanStatus.Idle;
                        s.Message = $"attempt {s.Attempts} failed; retrying";
                    }
                    else
                    {
                        Fail(id, "RetriesExhausted", $"RetriesExhausted: all {s.Attempts} attempt(s) failed (maxRetries {f.MaxRetries})");
                    }
                }
                else
                {
                    events.Add(new PlanEvent(now, id, PlanEventKind.Succeeded, s.Node!, s.Attempts));
                    s.Status = PlanStatus.Succeeded;
                    s.Reason = "Succeeded";
                    s.Message = $"Succeeded on {s.Node} (attempt {s.Attempts})";
                    succeeded.Add(id);
                }
            }

            // 2. Every ready function not running is tried in queue order.
            var ready = graph.Ready(succeeded, failed)
                .Where(id => states[id].Status == PlanStatus.Idle)
                .Select(id =>
                {
                    var request = byId[id].Request;
                    if (request.Placement.CollocateWith is { } target && request.Placement.CollocateNode is null
                        && states.TryGetValue(target, out var t) && t.Node is not null)
                    {
                        request = request with { Placement = request.Placement with { CollocateNode = t.Node } };
                    }

                    return request;
                })
                .ToList();
            var result = scheduler.Schedule(nodeSet, ready, cancellationToken);
            foreach (var assignment in result.Assignments)
            {
                var s = states[assignment.Id];
                s.Status = PlanStatus.Running;
                s.Node = assignment.Node;
                s.Attempts++;
                s.Start = now;
                s.End = now + byId[assignment.Id].Duration;
                running.Add((assignment.Id, s.End.Value));
                makespan = s.End.Value > makespan ? s.End.Value : makespan;
                events.Add(new PlanEvent(now, assignment.Id, PlanEventKind.Started, assignment.Node, s.Attempts));
            }

            foreach (var pending in result.Pending)
            {
                var s = states[pending.Id];
                s.Pending = pending; // its message is only built if the function ends up never placed
                if (pending.Unschedulable)
                {
                    s.Status = PlanStatus.Unschedulable;
                    s.Reason = "Unschedulable";
                    s.Message = pending.Message;
                }
            }

            if (result.Assignments.Count > 0)
            {
                foreach (var usage in tracker.Snapshot())
                {
                    peaks[usage.Node] = peaks[usage.Node].Max(usage.Allocated);
                }
            }

            if (running.Count == 0)
            {
                break;
            }

            now = running.Min(r => r.End);
        }

        var plans = new List<FunctionPlan>(fns.Count);
        foreach (var f in fns)
        {
            var s = states[f.Id];
            plans.Add(s.Status switch
            {
                PlanStatus.Succeeded => s.ToPlan(f.Id, PlanPhase.Succeeded),
                PlanStatus.Failed => s.ToPlan(f.Id, PlanPhase.Failed),
                PlanStatus.Unschedulable => s.ToPlan(f.Id, PlanPhase.Unschedulable),
                _ when graph.UnknownArgs.TryGetValue(f.Id, out var unknown) =>
                    s.ToPlan(f.Id, PlanPhase.Waiting, "UnknownDependency", $"waiting for unknown args: {string.Join(", ", unknown)}"),
                _ when graph.PendingArgs(f.Id, succeeded) is { Count: > 0 } waitingFor =>
                    s.ToPlan(f.Id, PlanPhase.Waiting, "WaitingForDependencies", $"waiting for args that never succeed: {string.Join(", ", waitingFor)}"),

                // Ready but never placed: only possible when no eligible node ever had room (e.g. all cordoned).
                _ => s.ToPlan(f.Id, PlanPhase.Unschedulable, "Unschedulable", s.Pending?.Message ?? s.Message ?? "never placed"),
            });
        }

        var nodePlans = nodeSet.Select(n => new NodePlan(n.Name, n.Capacity, peaks[n.Name])).ToList();
        return new PlanResult(plans, nodePlans, events, makespan);
    }
}
