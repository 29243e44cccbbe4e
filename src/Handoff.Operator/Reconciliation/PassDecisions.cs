using Handoff.Api.V1Alpha1;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// What a pass decides from its snapshot before any I/O — steps 2 to 6 of <see cref="Reconciler"/>: the nodes, the
/// pods and what they hold (the term's tracker is made to hold exactly that), each function's state, finished work,
/// dependencies and inputs, and one scheduling cycle. Kept apart so that the pass's pure part is measured as the
/// operator runs it (the pass benchmark).
/// </summary>
/// <param name="Views">The functions the pass looks at (finished ones nothing depends on are set aside), with the verdicts of <see cref="InputStep"/>.</param>
public sealed record PassDecisions(
    NodeView Nodes,
    PodView Pods,
    HoldingsSync Holdings,
    FinishedWork Finished,
    DependencyState[] Dependencies,
    IReadOnlyList<FunctionView> Views,
    IReadOnlyDictionary<string, FunctionInputs> Inputs,
    SchedulingOutcome Scheduling)
{
    /// <summary>Runs steps 2 to 6 over <paramref name="snapshot"/> in <paramref name="term"/>.</summary>
    public static PassDecisions Decide(
        ClusterSnapshot snapshot, TermState term, string schedulerName, RetryPolicy retry, FinishedWorkDefaults finishedDefaults,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(term);

        // 2.
        var nodes = NodeView.Build(snapshot, term.ParseNode, term.NodeStates);
        term.SyncNodes(nodes);

        // 3.
        var pods = PodView.Build(snapshot, nodes, schedulerName, term.DefaultStrategy, term.Pods);
        var holdings = term.SyncHoldings(pods, nodes, FallbackCosts(snapshot, term));

        // 4.
        var finished = FinishedWorkStep.Decide(FunctionLifecycleStep.Build(snapshot, pods, term, retry), finishedDefaults, snapshot.Now);

        // 5.
        var dependencies = DependencyStep.Resolve(finished.InPass);
        var (views, inputs) = InputStep.Check(finished.InPass, dependencies);

        // 6.
        var scheduling = SchedulingStep.Run(views, dependencies, pods, nodes, term.Tracker, cancellationToken, QueueContext.From(snapshot));
        return new PassDecisions(nodes, pods, holdings, finished, dependencies, views, inputs, scheduling);
    }

    /// <summary>
    /// What a pod without a cost annotation (created before the annotation existed) holds: its function's current cost.
    /// Such pods are rare, so the functions are indexed by uid only when the first one is met, not on every pass.
    /// </summary>
    public static Func<ObservedPod, ResourceList> FallbackCosts(ClusterSnapshot snapshot, TermState term)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(term);
        Dictionary<string, HandoffFunction>? byUid = null;
        return pod =>
        {
            byUid ??= snapshot.Functions.Where(f => f.Metadata.Uid is not null).ToDictionary(f => f.Metadata.Uid, StringComparer.Ordinal);
            return pod.OwnerUid is { } uid && byUid.GetValueOrDefault(uid) is { } owner ? CostOf(term, owner) : ResourceList.Empty;
        };
    }

    private static ResourceList CostOf(TermState term, HandoffFunction owner)
    {
        try
        {
            return term.MapFunction(owner).Placement.Cost;
        }
        catch (Api.Mapping.ManifestValidationException)
        {
            return ResourceList.Empty;
        }
    }
}
