using Handoff.Api.V1Alpha1;
using Handoff.Core.Resources;
using Handoff.Operator.Controllers;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;
using k8s.Models;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// Which HandoffNodes a pass need not report again (<see cref="TermState.NodesReportedAsTheyAre"/>): those whose report
/// the last pass found written, with the same state, the same usage in the tracker and the same requests of everyone
/// else's pods. Anything else about a node — a new object, an allocation or release on it, a pod of someone else's on
/// its Node, a report not found written — has it reported again.
/// </summary>
public sealed class NodeReportMemoTests
{
    private readonly CachedCluster _cluster = CachedCluster.WithTwoNodes();

    [Fact]
    public void The_first_pass_reports_every_node_and_a_pass_with_nothing_changed_none()
    {
        Assert.Null(Pass(settled: true));
        Assert.Equal([true, true], Known(settled: true));
        Assert.Equal([true, true], Known(settled: true));
    }

    [Fact]
    public void A_node_whose_usage_changed_or_whose_report_was_not_found_written_is_reported_again()
    {
        Pass(settled: true);
        Pass(settled: true);

        // A cycle's allocation on "a" (its pod never came: the next sync releases it, another change of a's usage).
        _cluster.Term.Tracker.TryAllocate("a", ResourceList.Of(("cpu", "1")), "default/new-1");
        Assert.Equal([false, true], Known(settled: false));

        // Its report was not found written last time: reported again though nothing changed since.
        Assert.Equal([false, true], Known(settled: true));
        Assert.Equal([true, true], Known(settled: true));
    }

    [Fact]
    public void A_pod_of_someone_else_on_a_Node_backed_node_or_a_new_object_has_the_node_reported_again()
    {
        Pass(settled: true);
        Pass(settled: true);

        var other = TestObjects.PodOf(TestObjects.Function("x").Uid("uid-x").Build()).Named("other").Orphan().WithoutLabel(HandoffApi.FunctionLabel).Build();
        other.Metadata.Annotations?.Clear();
        other.Spec.SchedulerName = "default-scheduler";
        other.Spec.NodeName = "worker-b";
        other.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1") } };
        other.Status.Phase = "Running";
        _cluster.Upsert(_cluster.Pods, CacheTransforms.Pod(other));
        Assert.Equal([true, false], Known(settled: true));

        // "a" comes back from its status write: a new object, so a new state.
        _cluster.Upsert(_cluster.HandoffNodes, TestObjects.HandoffNode("a").Capacity("cpu", "4").Build());
        Assert.Equal([false, true], Known(settled: true));
    }

    [Fact]
    public void The_idle_trim_forgets_what_was_reported()
    {
        Pass(settled: true);
        Pass(settled: true);
        _cluster.Term.ForgetDerived();
        Assert.Null(Pass(settled: true));
    }

    private bool[] Known(bool settled)
    {
        var asTheyAre = Pass(settled);
        Assert.NotNull(asTheyAre);
        return asTheyAre;
    }

    // Steps 2 and 3 of a pass in the term, then which nodes it need not report; notes each one as settled or not.
    private bool[]? Pass(bool settled)
    {
        var (nodes, _, _) = TermSteps.Run(_cluster.Snapshot(), _cluster.Term);
        var asTheyAre = _cluster.Term.NodesReportedAsTheyAre(nodes);
        _cluster.Term.NodesReported(nodes, [.. nodes.States.Select((_, i) => settled || asTheyAre?[i] == true)]);
        return asTheyAre;
    }
}
