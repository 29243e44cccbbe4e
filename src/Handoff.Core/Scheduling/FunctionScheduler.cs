using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Scheduling;

/// <summary>A ready function to place: its placement request and the strategy that chooses its node.</summary>
public sealed record SchedulingRequest(PlacementRequest Placement, AllocationStrategy Strategy = AllocationStrategy.FirstAvailable)
{
    public string Id => Placement.Id;
}

/// <summary>
/// A function that now holds <see cref="Cost"/> on <see cref="Node"/> in the tracker. <see cref="AlreadyHeld"/> is true
/// when the tracker already had an allocation for it before this cycle (nothing new was allocated).
/// </summary>
public sealed record Assignment(string Id, string Node, ResourceList Cost, bool AlreadyHeld = false);

/// <summary>A function that could not be placed in this cycle, and why (<see cref="AllocationDecision.Message"/>).</summary>
public sealed record PendingPlacement(string Id, AllocationDecision Decision)
{
    /// <summary>The kube-scheduler-style message for the function's status.</summary>
    public string Message => Decision.Message;

    /// <summary>True when the cost can never fit on any eligible node (reason <c>Unschedulable</c>).</summary>
    public bool Unschedulable => Decision.Unschedulable;
}

/// <summary>The outcome of one <see cref="FunctionScheduler.Schedule"/> call, both lists in queue order.</summary>
public sealed record SchedulingResult(IReadOnlyList<Assignment> Assignments, IReadOnlyList<PendingPlacement> Pending);

/// <summary>
/// One scheduling cycle, shared by the planner and the operator: takes the ready functions in queue order and, for
/// each, asks its strategy's allocator for a node and allocates the cost in the tracker.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A function that does not fit stays pending and does not block the ones behind it.</item>
/// <item>A function whose id already holds an allocation in the tracker is reported as assigned
/// (<see cref="Assignment.AlreadyHeld"/>) and nothing new is allocated.</item>
/// <item>A request with <see cref="PlacementRequest.CollocateWith"/> but no <see cref="PlacementRequest.CollocateNode"/>
/// gets the node its collocation target was assigned earlier in this cycle or holds in the tracker; otherwise it waits.
/// Callers that remember where finished functions ran pass that as <see cref="PlacementRequest.CollocateNode"/>.</item>
/// <item>Allocation is atomic in the tracker: if another thread takes the capacity between decision and allocation,
/// the decision is retried.</item>
/// </list>
/// Thread-safe as far as the tracker is; one cycle at a time per tracker gives queue-order fairness.
/// </remarks>
public sealed class FunctionScheduler
{
    private const int MaxAttemptsPerFunction = 3;

    private readonly IResourceTracker _tracker;
    private readonly Func<AllocationStrategy, IAllocator> _allocators;

    /// <param name="tracker">The tracker that holds capacity.</param>
    /// <param name="allocators">Allocator per strategy; default <see cref="Allocators.For"/>.</param>
    public FunctionScheduler(IResourceTracker tracker, Func<AllocationStrategy, IAllocator>? allocators = null)
    {
        _tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
        _allocators = allocators ?? Allocators.For;
    }

    /// <summary>The tracker this scheduler allocates in.</summary>
    public IResourceTracker Tracker => _tracker;

    /// <summary>
    /// Tries each of <paramref name="readyInQueueOrder"/> in order on <paramref name="nodes"/>; returns the
    /// assignments made (capacity now held in the tracker) and the functions left pending with their reasons.
    /// </summary>
    public SchedulingResult Schedule(NodeSet nodes, IEnumerable<SchedulingRequest> readyInQueueOrder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(readyInQueueOrder);
        var assignments = new List<Assignment>();
        var pending = new List<PendingPlacement>();
        var placedThisCycle = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var request in readyInQueueOrder)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = ScheduleOne(nodes, request, placedThisCycle);
            if (outcome.Assignment is { } assignment)
            {
                assignments.Add(assignment);
                placedThisCycle[assignment.Id] = assignment.Node;
            }
            else
            {
                pending.Add(outcome.Pending!);
            }
        }

        return new SchedulingResult(assignments, pending);
    }

    /// <summary>Places a single function (a cycle of one).</summary>
    public (Assignment? Assignment, PendingPlacement? Pending) ScheduleOne(NodeSet nodes, SchedulingRequest request) =>
        ScheduleOne(nodes, request, null);

    private (Assignment? Assignment, PendingPlacement? Pending) ScheduleOne(
        NodeSet nodes, SchedulingRequest request, Dictionary<string, string>? placedThisCycle)
    {
        ArgumentNullException.ThrowIfNull(request);
        var placement = request.Placement;
        var held = _tracker.NodeOf(placement.Id);
        if (held is not null)
        {
            return (new Assignment(placement.Id, held, placement.Cost, AlreadyHeld: true), null);
        }

        if (placement.CollocateWith is { } target && placement.CollocateNode is null)
        {
            var node = placedThisCycle?.GetValueOrDefault(target) ?? _tracker.NodeOf(target);
            if (node is not null)
            {
                placement = placement with { CollocateNode = node };
            }
        }

        var allocator = _allocators(request.Strategy);
        for (var attempt = 1; ; attempt++)
        {
            var decision = allocator.Allocate(placement, nodes, _tracker);
            if (!decision.Success)
            {
                return (null, new PendingPlacement(placement.Id, decision));
            }

            if (_tracker.TryAllocate(decision.Node!, placement.Cost, placement.Id))
            {
                return (new Assignment(placement.Id, decision.Node!, placement.Cost), null);
            }

            // Lost a race for the capacity (or the holder was allocated concurrently): decide again.
            held = _tracker.NodeOf(placement.Id);
            if (held is not null)
            {
                return (new Assignment(placement.Id, held, placement.Cost, AlreadyHeld: true), null);
            }

            if (attempt >= MaxAttemptsPerFunction)
            {
                return (null, new PendingPlacement(placement.Id, allocator.Allocate(placement, nodes, _tracker) is { Success: false } d
                    ? d
                    : AllocationDecision.Rejected(placement, nodes.Count, [], unschedulable: false, anyNodeMatchesConstraints: true)));
            }
        }
    }
}
