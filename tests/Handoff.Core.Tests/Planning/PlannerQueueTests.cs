using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;

namespace Handoff.Core.Tests.Planning;

/// <summary>The planner simulates api.md, "Queues": quota over time, preemption keeping the attempt, gangs, blocked work.</summary>
public sealed class PlannerQueueTests
{
    private static readonly NodeInfo[] OneNode = [new("n", ResourceList.Of(("cpu", "4")))];

    private static PlanFunction Fn(string name, string cpu, SchedulingTraits? traits = null, double seconds = 1, string[]? args = null, bool fails = false) =>
        new(new PlacementRequest($"ns/{name}", ResourceList.Of(("cpu", cpu))), [.. (args ?? []).Select(a => $"ns/{a}")])
        {
            Duration = TimeSpan.FromSeconds(seconds),
            Traits = traits ?? SchedulingTraits.None,
            Fails = fails,
            Retry = new RetryPolicy(0),
        };

    private static PlanResult Run(PlannerOptions options, params PlanFunction[] functions) =>
        Planner.Run(OneNode, functions, options, TestContext.Current.CancellationToken);

    private static PlannerOptions Queue(string name, string cpuQuota) =>
        new() { Queues = new Dictionary<string, QueueQuota> { [name] = new(name) { Quota = ResourceList.Of(("cpu", cpuQuota)) } } };

    [Fact]
    public void Quota_holds_over_time_and_each_queues_usage_is_recorded_when_it_changes()
    {
        var inQueue = new SchedulingTraits { Queue = "q" };
        var plan = Run(Queue("q", "2"), Fn("a", "1", inQueue), Fn("b", "1", inQueue), Fn("c", "1", inQueue));

        Assert.Equal([0.0, 0.0, 1.0], plan.Functions.Select(f => f.Start!.Value.TotalSeconds));
        Assert.Equal(
            [(0.0, 1, 2, "cpu=2"), (1.0, 0, 1, "cpu=1")],
            plan.Queues.Select(q => (q.Time.TotalSeconds, q.Pending, q.Admitted, q.Usage.ToString())));
    }

    [Fact]
    public void A_victim_leaves_at_once_and_runs_again_later_under_the_same_attempt()
    {
        var plan = Run(new PlannerOptions(),
            Fn("low", "4", new SchedulingTraits { Priority = 1 }, seconds: 3),
            Fn("check", "0", seconds: 1),
            Fn("urgent", "4", new SchedulingTraits { Priority = 100 }, seconds: 1, args: ["check"]));

        var low = plan.Functions.Single(f => f.Id == "ns/low");
        Assert.Equal((FunctionPhase.Succeeded, 1, 2.0, 5.0), (low.Phase, low.Attempts, low.Start!.Value.TotalSeconds, low.End!.Value.TotalSeconds));
        Assert.Contains(new PlanEvent(TimeSpan.FromSeconds(1), "ns/low", PlanEventKind.Preempted, "n", 1), plan.Events);
        Assert.Contains(new PlanEvent(TimeSpan.FromSeconds(1), "ns/urgent", PlanEventKind.Started, "n", 1), plan.Events);

        // The preempted attempt's original end (3 s) is not an end any more.
        Assert.DoesNotContain(plan.Events, e => e.Id == "ns/low" && e.Time == TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void The_ready_members_of_a_gang_that_can_no_longer_reach_min_members_fail()
    {
        var gang = new SchedulingTraits { Gang = new GangRef("ns/train", 3) };
        var plan = Run(new PlannerOptions(),
            Fn("bad", "1", fails: true),
            Fn("m0", "1", gang),
            Fn("m1", "1", gang),
            Fn("m2", "1", gang, args: ["bad"]));

        var m0 = plan.Functions.Single(f => f.Id == "ns/m0");
        Assert.Equal((FunctionPhase.Failed, Reasons.GangFailed, 0), (m0.Phase, m0.Reason, m0.Attempts));
        Assert.StartsWith("gang train: 1 member(s) failed (m2)", m0.Message, StringComparison.Ordinal);
        Assert.Equal(Reasons.DependencyFailed, plan.Functions.Single(f => f.Id == "ns/m2").Reason);
    }

    [Fact]
    public void Work_naming_an_unknown_queue_or_priority_class_stays_pending_with_the_reason()
    {
        var plan = Run(new PlannerOptions { PriorityClasses = new Dictionary<string, int> { ["high"] = 10 } },
            Fn("lost", "1", new SchedulingTraits { Queue = "nowhere" }),
            Fn("classless", "1", new SchedulingTraits { PriorityClassName = "missing" }),
            Fn("classy", "1", new SchedulingTraits { PriorityClassName = "high" }));

        Assert.Equal(
            [(FunctionPhase.Pending, Reasons.UnknownQueue), (FunctionPhase.Pending, Reasons.UnknownPriorityClass), (FunctionPhase.Succeeded, Reasons.Succeeded)],
            plan.Functions.Select(f => (f.Phase, f.Reason)));
    }
}
