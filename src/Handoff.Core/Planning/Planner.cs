using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Planning;

/// <summary>
/// A function as the planner sees it: its scheduling request (id, cost, constraints, strategy), the ids of its
/// args, and how its simulated attempts go.
/// </summary>
public sealed record PlanFunction(SchedulingRequest Request, IReadOnlyList<string> Args)
{
    /// <summary>Default simulated run time of one attempt.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(1);

    public string Id => Request.Id;

    /// <summary>Failed attempts are retried up to this many times (so at most MaxRetries + 1 attempts).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Simulated run time of each attempt.</summary>
    public TimeSpan Duration { get; init; } = DefaultDuration;

    /// <summary>True = every attempt fails.</summary>
    public bool Fails { get; init; }
}

/// <summary>The planned outcome of a function.</summary>
public enum PlanPhase
{
    /// <summary>Its last attempt succeeded.</summary>
    Succeeded,

    /// <summary>Retries exhausted, a dependency failed (<c>DependencyFailed</c>), or it is in a cycle (<c>DependencyCycle</c>).</summary>
    Failed,

    /// <summary>Never placed: the cost exceeds the total capacity of every eligible node, or no eligible node ever had room.</summary>
    Unschedulable,

    /// <summary>Never ready: an arg is unknown, or an arg never succeeded.</summary>
    Waiting,
}

/// <summary>
/// The plan for one function. <see cref="Start"/>/<see cref="End"/> are those of the last attempt (null when it
/// never ran); <see cref="Node"/> is where the last attempt ran. <see cref="Reason"/> is a CamelCase reason such as
/// <c>DependencyCycle</c>, <c>DependencyFailed</c>, <c>RetriesExhausted</c>, <c>Unschedulable</c>,
/// <c>UnknownDependency</c>, <c>WaitingForDependencies</c> or <c>Succeeded</c>; <see cref="Message"/> starts with it
/// for failures.
/// </summary>
public sealed record FunctionPlan(string Id, PlanPhase Phase, string? Node, int Attempts, TimeSpan? Start, TimeSpan? End, string Reason, string Message);

/// <summary>A node's capacity and its peak allocation over the plan (every capacity resource listed, 0 if unused).</summary>
public sealed record NodePlan(string Name, ResourceList Capacity, ResourceList Peak);

/// <summary>What happened at an instant of the simulation.</summary>
public enum PlanEventKind
{
    Started,
    Succeeded,
    Failed,
}

/// <summary>One timeline entry: an attempt started or ended.</summary>
public sealed record PlanEvent(TimeSpan Time, string Id, PlanEventKind Kind, string Node, int Attempt);

/// <summary>Optional planner plumbing; the defaults are what <c>handoff plan</c> uses.</summary>
public sealed record PlannerOptions
{
    /// <summary>Creates the (empty) tracker the simulation allocates in; default <see cref="SimpleResourceTracker"/>.</summary>
    public Func<IResourceTracker>? TrackerFactory { get; init; }

    /// <summary>Allocator per strategy; default <see cref="Allocation.Allocators.For"/>.</summary>
    public Func<AllocationStrategy, IAllocator>? Allocators { get; init; }
}

/// <summary>The planner's result: functions in queue order, nodes in name order, the timeline and the makespan.</summary>
public sealed record PlanResult(IReadOnlyList<FunctionPlan> Functions, IReadOnlyList<NodePlan> Nodes, IReadOnlyList<PlanEvent> Events, TimeSpan Makespan);

/// <summary>
/// An event-driven simulation of Handoff's scheduling with the same tracker (<see cref="SimpleResourceTracker"/>),
/// allocators and DAG (<see cref="FunctionGraph"/>) rules the operator uses, via <see cref="FunctionScheduler"/>.
/// </summary>
/// <remarks>
/// Rules: time starts at 0; the queue order is the order of <c>functions</c>; at each instant, first every attempt
/// that ends then ends and releases its capacity, then every function that is ready and not running is tried in
/// queue order and starts at once where it fits; time jumps to the next end. A failed attempt is retried at once
/// (no back-off) while attempts ≤ <see cref="PlanFunction.MaxRetries"/>, keeping its queue place. Nodes are all
/// treated as Ready. Functions in a cycle fail with <c>DependencyCycle</c>; dependents of a failed function fail with
/// <c>DependencyFailed</c>; functions with unknown args stay <c>Waiting</c>; a function that can never fit is
/// <c>Unschedulable</c> (and its dependents stay <c>Waiting</c>).
/// </remarks>
public static class Planner
{
    /// <summary>Runs the simulation. Throws <see cref="ArgumentException"/> on duplicate node or function ids.</summary>
    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, CancellationToken cancellationToken = default) =>
        Run(nodes, functions, new PlannerOptions(), cancellationToken);

    /// <summary>
    /// Runs the simulation with a caller-chosen tracker and allocators (e.g. an indexed tracker in benchmarks).
    /// Throws <see cref="ArgumentException"/> on duplicate node or function ids.
    /// </summary>
    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, PlannerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nodeSet = new NodeSet(nodes.Select(n => n with { Ready = true }));
        var fns = functions.ToList();
        var graph = new FunctionGraph(fns.Select(f => new FunctionDependencies(f.Id, f.Args)));
        var tracker = options.TrackerFactory?.Invoke() ?? new SimpleResourceTracker();
        foreach (var node in nodeSet)
        {
            tracker.SetNode(node.Name, node.Capacity);
        }

        var scheduler = new FunctionScheduler(tracker, options.Allocators);
        var byId = fns.ToDictionary(f => f.Id, StringComparer.Ordinal);
        var position = fns.Select((f, i) => (f.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var states = fns.ToDictionary(f => f.Id, _ => new State(), StringComparer.Ordinal);
        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<PlanEvent>();
        var peaks = nodeSet.ToDictionary(n => n.Name, n => ResourceList.FromMilli(n.Capacity.Select(kv => KeyValuePair.Create(kv.Key, 0L))), StringComparer.Ordinal);

        void Fail(string id, string reason, string message)
        {
            var s = states[id];
            s.Status = Status.Failed;
            s.Reason = reason;
            s.Message = message;
            failed.Add(id);
            foreach (var dependent in graph.TransitiveDependents(id))
            {
                var d = states[dependent];
                if (d.Status is Status.Idle)
                {
                    d.Status = Status.Failed;
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
            s.Status = Status.Failed;
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
                        s.Status = Status.Idle;
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
                    s.Status = Status.Succeeded;
                    s.Reason = "Succeeded";
                    s.Message = $"Succeeded on {s.Node} (attempt {s.Attempts})";
                    succeeded.Add(id);
                }
            }

            // 2. Every ready function not running is tried in queue order.
            var ready = graph.Ready(succeeded, failed)
                .Where(id => states[id].Status == Status.Idle)
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
                s.Status = Status.Running;
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
                    s.Status = Status.Unschedulable;
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
                Status.Succeeded => Plan(f.Id, PlanPhase.Succeeded, s),
                Status.Failed => Plan(f.Id, PlanPhase.Failed, s),
                Status.Unschedulable => Plan(f.Id, PlanPhase.Unschedulable, s),
                _ when graph.UnknownArgs.TryGetValue(f.Id, out var unknown) =>
                    Plan(f.Id, PlanPhase.Waiting, s, "UnknownDependency", $"waiting for unknown args: {string.Join(", ", unknown)}"),
                _ when graph.PendingArgs(f.Id, succeeded) is { Count: > 0 } waitingFor =>
                    Plan(f.Id, PlanPhase.Waiting, s, "WaitingForDependencies", $"waiting for args that never succeed: {string.Join(", ", waitingFor)}"),

                // Ready but never placed: only possible when no eligible node ever had room (e.g. all cordoned).
                _ => Plan(f.Id, PlanPhase.Unschedulable, s, "Unschedulable", s.Pending?.Message ?? s.Message ?? "never placed"),
            });
        }

        var nodePlans = nodeSet.Select(n => new NodePlan(n.Name, n.Capacity, peaks[n.Name])).ToList();
        return new PlanResult(plans, nodePlans, events, makespan);
    }

    private static FunctionPlan Plan(string id, PlanPhase phase, State s, string? reason = null, string? message = null) =>
        new(id, phase, s.Node, s.Attempts, s.Start, s.End, reason ?? s.Reason ?? phase.ToString(), message ?? s.Message ?? "");

    private enum Status
    {
        Idle,
        Running,
        Succeeded,
        Failed,
        Unschedulable,
    }

    private sealed class State
    {
        public Status Status { get; set; }

        public string? Node { get; set; }

        public int Attempts { get; set; }

        public TimeSpan? Start { get; set; }

        public TimeSpan? End { get; set; }

        public string? Reason { get; set; }

        public string? Message { get; set; }

        public PendingPlacement? Pending { get; set; }
    }
}
