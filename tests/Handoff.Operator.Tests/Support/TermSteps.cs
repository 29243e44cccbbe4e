using Handoff.Api.V1Alpha1;
using Handoff.Operator.Reconciliation;

namespace Handoff.Operator.Tests.Support;

/// <summary>
/// Steps 2 and 3 of a pass in a term, with the term's memos, as <see cref="PassDecisions.Decide"/> runs them: the node
/// view, the tracker's nodes, the pod view and the tracker's holdings.
/// </summary>
public static class TermSteps
{
    public static (NodeView Nodes, PodView Pods, HoldingsSync Holdings) Run(ClusterSnapshot snapshot, TermState term)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(term);
        var nodes = NodeView.Build(snapshot, term.ParseNode, term.NodeStates);
        term.SyncNodes(nodes);
        var pods = PodView.Build(snapshot, nodes, HandoffApi.DefaultSchedulerName, term.DefaultStrategy, term.Pods);
        return (nodes, pods, term.SyncHoldings(pods, nodes, PassDecisions.FallbackCosts(snapshot, term)));
    }
}
