using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;

namespace Handoff.Core.Tests.Scheduling;

/// <summary>
/// The first round's scheduling cycle, kept verbatim as the reference: one FIFO queue by ready time, no quota, no
/// priority, no gangs. With one queue, no quota and one priority the new cycle must decide exactly as this one.
/// </summary>
/// <remarks>
/// The steps, in order:
/// <list type="number">
/// <item><b>Order</b> the pending workloads by <see cref="QueueOrderKey"/> (ready time, creation, id).</item>
/// <item>For each in order, <b>resolve collocation</b>: the node its <c>collocateWith</c> target was placed on earlier in
/// this cycle or before it (<see cref="CycleInput.KnownPlacements"/>); without one it waits
/// (<c>WaitingForCollocation</c>).</item>
/// <item><b>Allocate</b>: its strategy's allocator chooses an eligible node that fits, and the cost (plus one pod where
/// the node counts pods) is allocated in the tracker under the workload's holder key. A workload that fits nowhere
/// stays pending with the allocator's kube-scheduler-style message (<c>FailedScheduling</c>, or <c>Unschedulable</c>
/// when it can never fit) and does not block the ones behind it.</item>
/// </list>
/// Within one cycle the tracker only fills up, so a decision that failed for one request shape (cost, constraints,
/// strategy) is reused for later requests of the same shape until something is allocated: workloads waiting for room
/// cost a dictionary lookup, not a decision.
/// </remarks>
internal static class ReferenceFifoCycle
{
    public static CycleResult Run(CycleInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var allocators = input.Allocators ?? Allocators.For;
        var reuseFailedDecisions = input.Allocators is null;
        var placed = new List<Placement>();
        var unplaced = new List<Unplaced>();
        var placedThisCycle = new Dictionary<string, string>(StringComparer.Ordinal);
        var failedShapes = new Dictionary<RequestShape, AllocationDecision>();

        // 1. Order.
        var ordered = input.Pending.ToArray();
        Array.Sort(ordered, (a, b) => a.Order.CompareTo(b.Order));

        foreach (var workload in ordered)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // 2. Collocation.
            var request = workload.Placement;
            if (request.CollocateWith is { } target && request.CollocateNode is null)
            {
                var node = placedThisCycle.GetValueOrDefault(target) ?? input.KnownPlacements?.GetValueOrDefault(target);
                if (node is null)
                {
                    unplaced.Add(new Unplaced(workload, Reasons.WaitingForCollocation, AllocationDecision.WaitForCollocation(request)));
                    continue;
                }

                request = request with { CollocateNode = node };
            }

            // 3. Allocate.
            var shape = new RequestShape(request, workload.Strategy);
            if (reuseFailedDecisions && failedShapes.TryGetValue(shape, out var known))
            {
                unplaced.Add(Pending(workload, known));
                continue;
            }

            var decision = allocators(workload.Strategy).Allocate(request, input.Nodes, input.Tracker);
            if (decision.Success)
            {
                var node = input.Nodes.Find(decision.Node!)!;
                var held = NodeEligibility.CostOn(request.Cost, node);
                if (input.Tracker.TryAllocate(node.Name, held, workload.Holder))
                {
                    placed.Add(new Placement(workload, node.Name, held));
                    placedThisCycle[workload.Id] = node.Name;
                    failedShapes.Clear();
                    continue;
                }

                // The holder already holds something (the caller keeps held workloads out of Pending), or the tracker
                // changed under us: report it as not placed in this cycle.
                decision = AllocationDecision.Rejected(request, input.Nodes.Count, [], unschedulable: false, anyNodeMatchesConstraints: true);
            }

            unplaced.Add(Pending(workload, decision));
            if (reuseFailedDecisions)
            {
                failedShapes[shape] = decision;
            }
        }

        return new CycleResult(placed, unplaced);
    }

    private static Unplaced Pending(Workload workload, AllocationDecision decision) =>
        new(workload, decision.WaitingForCollocation ? Reasons.WaitingForCollocation
            : decision.Unschedulable ? Reasons.Unschedulable : Reasons.FailedScheduling, decision);

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
        Handoff.Core.Nodes.RequiredNodeAffinity? Affinity,
        AllocationStrategy Strategy)
    {
        public RequestShape(PlacementRequest request, AllocationStrategy strategy)
            : this(request.Cost, request.NodeSelector, request.Node, request.CollocateWith, request.CollocateNode, request.Tolerations, request.Affinity, strategy)
        {
        }
    }
}
