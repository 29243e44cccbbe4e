using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// What the queueing rules read in a pass: queues and classes from the snapshot, what holds capacity (the candidates for
/// preemption), the gangs, and what is kept out of the cycle; then each queue's status.
/// </summary>
public sealed class QueueContextTests
{
    private static HandoffFunction Fn(string name, string cpu, string? queue = null, string? priorityClass = null, HandoffGang? gang = null)
    {
        var f = TestObjects.Function(name).Cost("cpu", cpu).Build();
        f.Spec.Queue = queue;
        f.Spec.PriorityClassName = priorityClass;
        f.Spec.Gang = gang;
        return f;
    }

    private static SnapshotBuilder Cluster() => new SnapshotBuilder()
        .HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"))
        .Queue("team", new HandoffQueueSpec { Quota = new Dictionary<string, string> { ["cpu"] = "3" } })
        .Queue("broken", new HandoffQueueSpec { Weight = "0" })
        .PriorityClass("high", 100);

    [Fact]
    public void A_running_function_is_admitted_with_its_queue_priority_and_gang_and_an_orphan_is_never_a_victim()
    {
        var running = Fn("run", "2", queue: "team", priorityClass: "high", gang: new HandoffGang { Name = "g", MinMembers = 1 });
        var pass = PurePass.Run(Cluster()
            .Function(running)
            .Pod(TestObjects.PodOf(running).OnHandoffNode("a").BoundTo("a").Cost("cpu", "2"))
            .Pod(TestObjects.PodOf(Fn("gone", "1")).Orphan().OnHandoffNode("a").BoundTo("a").Cost("cpu", "1")));

        var admitted = pass.Scheduling.Admitted.OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(2, admitted.Count);
        var fn = admitted.Single(a => a.Id == "default/run");
        Assert.Equal(("team", 100, "default/g", false, true), (fn.Queue, fn.Priority, fn.Gang, fn.Terminating, fn.Preemptible));
        Assert.Equal(ResourceList.Of(("cpu", "2")), fn.Cost);
        Assert.False(admitted.Single(a => a.Id != "default/run").Preemptible);
        Assert.Equal(1, pass.Scheduling.Gangs.Placed("default/g"));
    }

    [Fact]
    public void Work_naming_an_unknown_or_inactive_queue_or_class_is_kept_out_of_the_cycle_and_counted_pending()
    {
        var pass = PurePass.Run(Cluster()
            .Function(Fn("lost", "1", queue: "nowhere"))
            .Function(Fn("stuck", "1", queue: "broken"))
            .Function(Fn("classless", "1", priorityClass: "missing"))
            .Function(Fn("fine", "1", queue: "team")));

        Assert.Equal(
            [("default/classless", Reasons.UnknownPriorityClass), ("default/lost", Reasons.UnknownQueue), ("default/stuck", Reasons.QueueInactive)],
            pass.Scheduling.Blocked.Select(b => (b.Key, b.Value.Reason)).Order());
        Assert.Equal("default/fine", Assert.Single(pass.Scheduling.Cycle.Placed).Workload.Id);
        Assert.Equal(1, pass.Scheduling.BlockedPerQueue["broken"]);
    }

    [Fact]
    public void Each_queue_reports_pending_admitted_usage_and_whether_it_is_active()
    {
        var pass = PurePass.Run(Cluster()
            .Function(Fn("first", "2", queue: "team"))
            .Function(Fn("second", "2", queue: "team"))
            .Function(Fn("stuck", "1", queue: "broken")));

        var reports = QueueStatusStep.For(pass.Scheduling).ToDictionary(r => r.Name, StringComparer.Ordinal);
        var team = reports["team"];
        Assert.Equal((1, 1, "cpu=2", true), (team.Pending, team.Admitted, team.Usage.ToString(), team.Active));
        var broken = reports["broken"];
        Assert.Equal((1, 0, false, "InvalidSpec"), (broken.Pending, broken.Admitted, broken.Active, broken.ActiveReason));
        Assert.Contains("weight 0 must be greater than 0", broken.ActiveMessage, StringComparison.Ordinal);
        var second = pass.Scheduling.UnplacedOf("default/second")!;
        Assert.Equal((Reasons.QuotaExceeded, 1), (second.Reason, second.Position));
    }

    [Fact]
    public void The_unplaced_members_of_a_gang_that_can_no_longer_run_are_told_so()
    {
        var gang = new HandoffGang { Name = "train", MinMembers = 2 };
        var failed = Fn("m0", "1", gang: gang);
        failed.Status = new HandoffFunctionStatus
        {
            Phase = "Failed",
            Attempts = 1,
            Conditions = [new() { Type = ConditionTypes.Completed, Status = ConditionStatus.True, Reason = Reasons.RetriesExhausted }],
        };
        var pass = PurePass.Run(Cluster().Function(failed).Function(Fn("m1", "1", gang: gang)));

        Assert.StartsWith("gang train: 1 member(s) failed (m0)", pass.Scheduling.GangFailures["default/m1"], StringComparison.Ordinal);
        Assert.Empty(pass.Scheduling.Cycle.Placed);
    }
}
