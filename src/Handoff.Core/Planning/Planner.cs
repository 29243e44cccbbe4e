using Handoff.Core.Allocation;
using Handoff.Core.Allocation.Indexing;
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
    /// <summary>
    /// Creates the (empty) tracker the simulation allocates in; default <see cref="IndexedResourceTracker"/>, which
    /// decides exactly as <see cref="SimpleResourceTracker"/> but finds nodes without scanning them all.
    /// </summary>
    public Func<IResourceTracker>? TrackerFactory { get; init; }

    /// <summary>Allocator per strategy; default <see cref="Allocation.Allocators.For"/>.</summary>
    public Func<AllocationStrategy, IAllocator>? Allocators { get; init; }
}

/// <summary>The planner's result: functions in queue order, nodes in name order, the timeline and the makespan.</summary>
public sealed record PlanResult(IReadOnlyList<FunctionPlan> Functions, IReadOnlyList<NodePlan> Nodes, IReadOnlyList<PlanEvent> Events, TimeSpan Makespan);

/// <summary>
/// An event-driven simulation of Handoff's scheduling with the same tracker behaviour, allocators and DAG
/// (<see cref="FunctionGraph"/>) rules the operator uses, via <see cref="FunctionScheduler"/>.
/// </summary>
/// <remarks>
/// Rules: time starts at 0; the queue order is the order of <c>functions</c>; at each instant, first every attempt
/// that ends then ends and releases its capacity, then every function that is ready and not running is tried in
/// queue order and starts at once where it fits; time jumps to the next end. A failed attempt is retried at once
/// (no back-off) while attempts ≤ <see cref="PlanFunction.MaxRetries"/>, keeping its queue place. Nodes are all
/// treated as Ready. Functions in a cycle fail with <c>DependencyCycle</c>; dependents of a failed function fail with
/// <c>DependencyFailed</c>; functions with unknown args stay <c>Waiting</c>; a function that can never fit is
/// <c>Unschedulable</c> (and its dependents stay <c>Waiting</c>).
/// <para>Cost: the bookkeeping is O((functions + args) · log functions) over a whole run — attempts in progress sit
/// in a priority queue by (end, queue position), the ready set is kept by counting each function's unfinished args,
/// and a failure sweeps each dependent once. On top come the allocator decisions for the ready, not running
/// functions at every instant; a function waiting for room costs a dictionary lookup when one of the same shape
/// (cost, constraints, strategy) already failed in that instant with nothing allocated since.</para>
/// </remarks>
public static class Planner
{
    /// <summary>Runs the simulation. Throws <see cref="ArgumentException"/> on duplicate node or function ids.</summary>
    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, CancellationToken cancellationToken = default) =>
        Run(nodes, functions, new PlannerOptions(), cancellationToken);

    /// <summary>
    /// Runs the simulation with a caller-chosen tracker and allocators (e.g. the plain tracker, to compare).
    /// Throws <see cref="ArgumentException"/> on duplicate node or function ids.
    /// </summary>
    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, PlannerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nodeSet = new NodeSet(nodes.Select(node => node with { Ready = true }));
        var fns = functions.ToList();
        var graph = new FunctionGraph(fns.Select(f => new FunctionDependencies(f.Id, f.Args)));
        var tracker = options.TrackerFactory?.Invoke() ?? new IndexedResourceTracker();
        foreach (var node in nodeSet)
        {
            tracker.SetNode(node.Name, node.Capacity);
        }

        // Functions are numbered by queue position (the graph's order too); every per-function table is indexed by it.
        var n = fns.Count;
        var scheduler = new FunctionScheduler(tracker, options.Allocators);
        var position = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            position[fns[i].Id] = i;
        }

        // unfinishedArgs[i]: known args of i (without duplicates) that have not succeeded yet. The dependents of i
        // (functions with i among their args) are dependents[dependentsStart[i] .. dependentsStart[i + 1]).
        var states = new PlanState[n];
        var knownArgs = new int[n][];
        var unfinishedArgs = new int[n];
        var dependentsStart = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            states[i] = new PlanState();
            knownArgs[i] = [.. graph.ArgsOf(fns[i].Id).Select(arg => position[arg])];
            unfinishedArgs[i] = knownArgs[i].Length;
            foreach (var arg in knownArgs[i])
            {
                dependentsStart[arg + 1]++;
            }
        }

        for (var i = 0; i < n; i++)
        {
            dependentsStart[i + 1] += dependentsStart[i];
        }

        var dependents = new int[dependentsStart[n]];
        var filled = dependentsStart[..n];
        for (var i = 0; i < n; i++)
        {
            foreach (var arg in knownArgs[i])
            {
                dependents[filled[arg]++] = i;
            }
        }

        ReadOnlySpan<int> DependentsOf(int i) => dependents.AsSpan(dependentsStart[i], dependentsStart[i + 1] - dependentsStart[i]);

        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<PlanEvent>();
        var peaks = nodeSet.ToDictionary(node => node.Name, node => ResourceList.FromMilli(node.Capacity.Select(kv => KeyValuePair.Create(kv.Key, 0L))), StringComparer.Ordinal);

        // Once a failure has swept a function's transitive dependents, every one of them is Failed for good (none can
        // run: each waits on the failed function), so a later sweep reaching it would mark nothing and stops there.
        var swept = new bool[n];
        var sweep = new Stack<int>();

        void Fail(int i, string reason, string message)
        {
            var s = states[i];
            s.Status = PlanStatus.Failed;
            s.Reason = reason;
            s.Message = message;
            if (swept[i])
            {
                return;
            }

            swept[i] = true;
            var dependencyMessage = $"DependencyFailed: {fns[i].Id} {(reason == "DependencyCycle" ? "is in a dependency cycle" : "failed")}";
            sweep.Push(i);
            while (sweep.Count > 0)
            {
                foreach (var d in DependentsOf(sweep.Pop()))
                {
                    if (swept[d])
                    {
                        continue;
                    }

                    swept[d] = true;
                    sweep.Push(d);
                    var ds = states[d];
                    if (ds.Status is PlanStatus.Idle)
                    {
                        ds.Status = PlanStatus.Failed;
                        ds.Reason = "DependencyFailed";
                        ds.Message = dependencyMessage;
                    }
                }
            }
        }

        var cycleMembers = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (graph.IsInCycle(fns[i].Id))
            {
                cycleMembers.Add(i);
            }
        }

        foreach (var i in cycleMembers)
        {
            var s = states[i];
            s.Status = PlanStatus.Failed;
            s.Reason = "DependencyCycle";
            s.Message = "DependencyCycle: " + FunctionGraph.FormatCycle(graph.CycleOf(fns[i].Id)!);
        }

        foreach (var i in cycleMembers)
        {
            Fail(i, "DependencyCycle", states[i].Message!);
        }

        // The ready set kept incrementally: Idle functions, not in a cycle, without unknown args, whose known args have
        // all succeeded — FunctionGraph.Ready minus the running ones, in queue order.
        var ready = new SortedSet<int>();
        for (var i = 0; i < n; i++)
        {
            if (unfinishedArgs[i] == 0 && states[i].Status is PlanStatus.Idle && !graph.UnknownArgs.ContainsKey(fns[i].Id))
            {
                ready.Add(i);
            }
        }

        // Attempts in progress, by (end, queue position): the order in which the ends of one instant are processed.
        var running = new PriorityQueue<int, (TimeSpan End, int Position)>();
        var assignments = new List<Assignment>();
        var pendings = new List<PendingPlacement>();
        var failedShapes = new Dictionary<RequestShape, AllocationDecision>();
        var reuseFailedDecisions = options.Allocators is null;
        var assignedNodes = new HashSet<string>(StringComparer.Ordinal);
        var now = TimeSpan.Zero;
        var makespan = TimeSpan.Zero;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // 1. Every attempt ending now ends and releases its capacity (queue order).
            while (running.TryPeek(out var i, out var key) && key.End == now)
            {
                running.Dequeue();
                var f = fns[i];
                tracker.Release(f.Id);
                var s = states[i];
                if (f.Fails)
                {
                    events.Add(new PlanEvent(now, f.Id, PlanEventKind.Failed, s.Node!, s.Attempts));
                    if (s.Attempts <= f.MaxRetries)
                    {
                        s.Status = PlanStatus.Idle;
                        s.Message = $"attempt {s.Attempts} failed; retrying";
                        ready.Add(i);
                    }
                    else
                    {
                        Fail(i, "RetriesExhausted", $"RetriesExhausted: all {s.Attempts} attempt(s) failed (maxRetries {f.MaxRetries})");
                    }
                }
                else
                {
                    events.Add(new PlanEvent(now, f.Id, PlanEventKind.Succeeded, s.Node!, s.Attempts));
                    s.Status = PlanStatus.Succeeded;
                    s.Reason = "Succeeded";
                    s.Message = $"Succeeded on {s.Node} (attempt {s.Attempts})";
                    succeeded.Add(f.Id);
                    foreach (var d in DependentsOf(i))
                    {
                        if (--unfinishedArgs[d] == 0 && states[d].Status is PlanStatus.Idle && !graph.UnknownArgs.ContainsKey(fns[d].Id))
                        {
                            ready.Add(d);
                        }
                    }
                }
            }

            // 2. Every ready function not running is tried in queue order. Within this loop the tracker only fills
            // up, so once a request fails, a later request of the same shape fails with the same decision until
            // something is allocated: it gets that decision without deciding again (built-in allocators only, which
            // decide from the request, the nodes and the tracker alone). This keeps functions waiting for room cheap.
            assignments.Clear();
            pendings.Clear();
            failedShapes.Clear();
            foreach (var i in ready)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var request = fns[i].Request;
                if (request.Placement.CollocateWith is { } target && request.Placement.CollocateNode is null
                    && position.TryGetValue(target, out var t) && states[t].Node is { } targetNode)
                {
                    request = request with { Placement = request.Placement with { CollocateNode = targetNode } };
                }

                var shape = new RequestShape(request);
                if (failedShapes.TryGetValue(shape, out var decision))
                {
                    pendings.Add(new PendingPlacement(request.Id, decision));
                    continue;
                }

                var (assignment, pending) = scheduler.ScheduleOne(nodeSet, request);
                if (assignment is not null)
                {
                    assignments.Add(assignment);
                    failedShapes.Clear();
                }
                else
                {
                    pendings.Add(pending!);
                    if (reuseFailedDecisions)
                    {
                        failedShapes[shape] = pending!.Decision;
                    }
                }
            }

            assignedNodes.Clear();
            foreach (var assignment in assignments)
            {
                var i = position[assignment.Id];
                var s = states[i];
                s.Status = PlanStatus.Running;
                s.Node = assignment.Node;
                s.Attempts++;
                s.Start = now;
                s.End = now + fns[i].Duration;
                ready.Remove(i);
                running.Enqueue(i, (s.End.Value, i));
                assignedNodes.Add(assignment.Node);
                makespan = s.End.Value > makespan ? s.End.Value : makespan;
                events.Add(new PlanEvent(now, assignment.Id, PlanEventKind.Started, assignment.Node, s.Attempts));
            }

            foreach (var pending in pendings)
            {
                var i = position[pending.Id];
                var s = states[i];
                s.Pending = pending; // its message is only built if the function ends up never placed
                if (pending.Unschedulable)
                {
                    s.Status = PlanStatus.Unschedulable;
                    s.Reason = "Unschedulable";
                    s.Message = pending.Message;
                    ready.Remove(i);
                }
            }

            // Allocation only grows on nodes that got an assignment; elsewhere it only shrank, so their peaks stand.
            foreach (var node in assignedNodes)
            {
                if (tracker.GetNode(node) is { } usage)
                {
                    peaks[node] = peaks[node].Max(usage.Allocated);
                }
            }

            if (!running.TryPeek(out _, out var next))
            {
                break;
            }

            now = next.End;
        }

        var plans = new List<FunctionPlan>(n);
        for (var i = 0; i < n; i++)
        {
            var id = fns[i].Id;
            var s = states[i];
            plans.Add(s.Status switch
            {
                PlanStatus.Succeeded => s.ToPlan(id, PlanPhase.Succeeded),
                PlanStatus.Failed => s.ToPlan(id, PlanPhase.Failed),
                PlanStatus.Unschedulable => s.ToPlan(id, PlanPhase.Unschedulable),
                _ when graph.UnknownArgs.TryGetValue(id, out var unknown) =>
                    s.ToPlan(id, PlanPhase.Waiting, "UnknownDependency", $"waiting for unknown args: {string.Join(", ", unknown)}"),
                _ when graph.PendingArgs(id, succeeded) is { Count: > 0 } waitingFor =>
                    s.ToPlan(id, PlanPhase.Waiting, "WaitingForDependencies", $"waiting for args that never succeed: {string.Join(", ", waitingFor)}"),

                // Ready but never placed: only possible when no eligible node ever had room (e.g. all cordoned).
                _ => s.ToPlan(id, PlanPhase.Unschedulable, "Unschedulable", s.Pending?.Message ?? s.Message ?? "never placed"),
            });
        }

        var nodePlans = nodeSet.Select(node => new NodePlan(node.Name, node.Capacity, peaks[node.Name])).ToList();
        return new PlanResult(plans, nodePlans, events, makespan);
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
        AllocationStrategy Strategy)
    {
        public RequestShape(SchedulingRequest request)
            : this(request.Placement.Cost, request.Placement.NodeSelector, request.Placement.Node, request.Placement.CollocateWith, request.Placement.CollocateNode, request.Strategy)
        {
        }
    }
}
