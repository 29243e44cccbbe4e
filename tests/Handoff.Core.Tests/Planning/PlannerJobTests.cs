using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Planning;

/// <summary>A Job's pods in a plan: created by its controller's rule (<see cref="JobShape"/>), each at the success that creates it.</summary>
public sealed class PlannerJobTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>The Job's pods <c>pods/default/NAME-N</c> of the given cost and duration, as <see cref="JobShape"/> creates them.</summary>
    private static IEnumerable<PlanFunction> JobPods(string name, JobShape job, string cpu, double seconds) =>
        Enumerable.Range(0, job.PodsToCreate).Select(n => new PlanFunction(new PlacementRequest($"pods/default/{name}-{n + 1}", ResourceList.Of(("cpu", cpu))), [])
        {
            Duration = S(seconds),
            Retry = new RetryPolicy(0),
            Job = new PlanJobPod("default/" + name, job.CreatedAfterSuccesses(n)),
        });

    private static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions) =>
        Planner.Run(nodes, functions, TestContext.Current.CancellationToken);

    private static (double? Start, double? End) Times(PlanResult plan, string id) =>
        plan.Functions.Single(f => f.Id == id) is var f ? (f.Start?.TotalSeconds, f.End?.TotalSeconds) : default;

    [Fact]
    public void At_most_parallelism_pods_run_and_each_success_creates_the_next()
    {
        var plan = Run([new NodeInfo("n", ResourceList.Of(("cpu", "8")))], JobPods("crunch", new JobShape(2, 5), "1", 2));

        Assert.All(plan.Functions, f => Assert.Equal(FunctionPhase.Succeeded, f.Phase));
        Assert.Equal(
            [(0.0, 2.0), (0.0, 2.0), (2.0, 4.0), (2.0, 4.0), (4.0, 6.0)],
            Enumerable.Range(1, 5).Select(n => Times(plan, $"pods/default/crunch-{n}")).Select(t => (t.Start!.Value, t.End!.Value)));
        Assert.Equal(S(6), plan.Makespan);
    }

    [Fact]
    public void A_pod_waiting_for_capacity_delays_only_itself_the_next_is_created_by_whichever_success_comes()
    {
        // Room for one pod at a time beside a 3 s blocker: pod 1 runs 0–1, then pod 3 (created by that success) queues
        // behind pod 2, which has waited since 0.
        var nodes = new[] { new NodeInfo("n", ResourceList.Of(("cpu", "2"))) };
        var blocker = new PlanFunction(new PlacementRequest("default/blocker", ResourceList.Of(("cpu", "1"))), []) { Duration = S(3) };
        var plan = Run(nodes, [blocker, .. JobPods("crunch", new JobShape(2, 3), "1", 1)]);

        Assert.Equal((0.0, 1.0), Times(plan, "pods/default/crunch-1"));
        Assert.Equal((1.0, 2.0), Times(plan, "pods/default/crunch-2"));
        Assert.Equal((2.0, 3.0), Times(plan, "pods/default/crunch-3"));
    }

    [Fact]
    public void A_pod_never_created_because_earlier_pods_never_succeed_says_so()
    {
        // Each pod needs 4 cpus, the node has 2: the first pods are Unschedulable, the third is never created.
        var plan = Run([new NodeInfo("n", ResourceList.Of(("cpu", "2")))], JobPods("big", new JobShape(2, 3), "4", 1));
        var third = plan.Functions.Single(f => f.Id == "pods/default/big-3");

        Assert.Equal(Reasons.Unschedulable, plan.Functions[0].Reason);
        Assert.Equal((FunctionPhase.Waiting, Reasons.WaitingForJob), (third.Phase, third.Reason));
        Assert.Equal("not created: Job big creates it once 1 of its pods have succeeded", third.Message);
        Assert.DoesNotContain(plan.Events, e => e.Id == third.Id);
    }

    [Fact]
    public void A_pod_created_later_queues_by_its_creation_behind_work_ready_before_it()
    {
        // At 1 s the Job's second pod is created; a function that waited since 0 s for the same slot goes first.
        var nodes = new[] { new NodeInfo("n", ResourceList.Of(("cpu", "2"))) };
        var holder = new PlanFunction(new PlacementRequest("default/holder", ResourceList.Of(("cpu", "1"))), []) { Duration = S(1) };
        var waiting = new PlanFunction(new PlacementRequest("default/waiting", ResourceList.Of(("cpu", "2"))), []) { Duration = S(1) };
        var plan = Run(nodes, [holder, waiting, .. JobPods("crunch", new JobShape(1, 2), "1", 1)]);

        Assert.Equal((1.0, 2.0), Times(plan, "default/waiting"));
        Assert.Equal((2.0, 3.0), Times(plan, "pods/default/crunch-2"));
    }
}
