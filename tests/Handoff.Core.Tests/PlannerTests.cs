using Handoff.Core.Allocation;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests;

public sealed class PlannerTests
{
    private static NodeInfo Node(string name, params (string, string)[] capacity) => new(name, ResourceList.Of(capacity));

    private static PlanFunction Fn(string id, string[]? args = null, params (string, string)[] cost) =>
        new(new SchedulingRequest(new PlacementRequest(id, ResourceList.Of(cost))), args ?? []);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static PlanResult Run(IEnumerable<NodeInfo> nodes, params PlanFunction[] functions) =>
        Planner.Run(nodes, functions, TestContext.Current.CancellationToken);

    [Fact]
    public void Seed_scenario_runs_everything_in_parallel_where_it_fits()
    {
        var nodes = new[]
        {
            Node("node-1", ("cpu", "8"), ("memory", "16000"), ("gpu", "2")),
            Node("node-2", ("cpu", "8"), ("memory", "16000"), ("specialized_hardware", "1")),
        };
        var plan = Run(nodes,
            Fn("cpu-task", null, ("cpu", "4"), ("memory", "4000")),
            Fn("gpu-task", null, ("cpu", "2"), ("gpu", "1")),
            Fn("special-task", null, ("specialized_hardware", "1")));
        Assert.All(plan.Functions, f => Assert.Equal(PlanPhase.Succeeded, f.Phase));
        Assert.Equal(["node-1", "node-1", "node-2"], plan.Functions.Select(f => f.Node));
        Assert.All(plan.Functions, f => Assert.Equal((S(0), S(1)), (f.Start!.Value, f.End!.Value)));
        Assert.Equal(S(1), plan.Makespan);
        Assert.Equal(ResourceList.Of(("cpu", "6"), ("memory", "4000"), ("gpu", "1")), plan.Nodes[0].Peak);
        Assert.Equal(ResourceList.Of(("cpu", "0"), ("memory", "0"), ("specialized_hardware", "1")), plan.Nodes[1].Peak);
    }

    [Fact]
    public void Diamond_runs_in_dependency_order()
    {
        var plan = Run([Node("n", ("cpu", "4"))],
            Fn("source", null, ("cpu", "1")),
            Fn("left", ["source"], ("cpu", "1")) with { Duration = S(2) },
            Fn("right", ["source"], ("cpu", "1")) with { Duration = S(0.5) },
            Fn("join", ["left", "right"], ("cpu", "1")));
        var byId = plan.Functions.ToDictionary(f => f.Id);
        Assert.Equal((S(0), S(1)), (byId["source"].Start!.Value, byId["source"].End!.Value));
        Assert.Equal((S(1), S(3)), (byId["left"].Start!.Value, byId["left"].End!.Value));
        Assert.Equal((S(1), S(1.5)), (byId["right"].Start!.Value, byId["right"].End!.Value));
        Assert.Equal((S(3), S(4)), (byId["join"].Start!.Value, byId["join"].End!.Value));
        Assert.Equal(S(4), plan.Makespan);
        Assert.Equal(2000, plan.Nodes[0].Peak["cpu"]);
    }

    [Fact]
    public void Capacity_released_at_an_instant_is_reused_at_that_instant_in_queue_order()
    {
        var plan = Run([Node("n", ("cpu", "2"))],
            Fn("a", null, ("cpu", "2")),
            Fn("b", null, ("cpu", "2")),
            Fn("c", null, ("cpu", "1")),
            Fn("d", null, ("cpu", "1")));
        Assert.Equal([S(0), S(1), S(2), S(2)], plan.Functions.Select(f => f.Start!.Value));
        Assert.Equal(S(3), plan.Makespan);
    }

    [Fact]
    public void A_function_that_does_not_fit_now_does_not_block_the_ones_behind_it()
    {
        var plan = Run([Node("n", ("cpu", "4"))],
            Fn("big1", null, ("cpu", "3")) with { Duration = S(5) },
            Fn("big2", null, ("cpu", "3")),
            Fn("small", null, ("cpu", "1")));
        Assert.Equal([S(0), S(5), S(0)], plan.Functions.Select(f => f.Start!.Value));
    }

    [Fact]
    public void Failed_attempts_are_retried_at_once_keeping_their_queue_place_until_maxRetries()
    {
        var plan = Run([Node("n", ("cpu", "1"))],
            Fn("flaky", null, ("cpu", "1")) with { Fails = true, MaxRetries = 2 },
            Fn("other", null, ("cpu", "1")),
            Fn("after", ["flaky"]));
        var flaky = plan.Functions[0];
        Assert.Equal(PlanPhase.Failed, flaky.Phase);
        Assert.Equal(3, flaky.Attempts);
        Assert.Equal((S(2), S(3)), (flaky.Start!.Value, flaky.End!.Value));
        Assert.StartsWith("RetriesExhausted", flaky.Message, StringComparison.Ordinal);
        // The retry at t=1 keeps its queue place ahead of "other".
        Assert.Equal((S(3), S(4)), (plan.Functions[1].Start!.Value, plan.Functions[1].End!.Value));
        var after = plan.Functions[2];
        Assert.Equal(PlanPhase.Failed, after.Phase);
        Assert.Equal("DependencyFailed", after.Reason);
        Assert.Equal("DependencyFailed: flaky failed", after.Message);
        Assert.Null(after.Start);
        Assert.Equal(0, after.Attempts);
        Assert.Equal(3, plan.Events.Count(e => e.Kind == PlanEventKind.Failed));
    }

    [Fact]
    public void MaxRetries_zero_means_a_single_attempt()
    {
        var plan = Run([Node("n")], Fn("f") with { Fails = true, MaxRetries = 0 });
        Assert.Equal(1, plan.Functions[0].Attempts);
        Assert.Equal(PlanPhase.Failed, plan.Functions[0].Phase);
    }

    [Fact]
    public void Dependency_failure_propagates_transitively()
    {
        var plan = Run([Node("n")], Fn("a") with { Fails = true, MaxRetries = 0 }, Fn("b", ["a"]), Fn("c", ["b"]), Fn("d"));
        Assert.Equal([PlanPhase.Failed, PlanPhase.Failed, PlanPhase.Failed, PlanPhase.Succeeded], plan.Functions.Select(f => f.Phase));
        Assert.Equal("DependencyFailed: a failed", plan.Functions[2].Message);
    }

    [Fact]
    public void Cycle_members_fail_with_the_cycle_path_and_their_dependents_fail_too()
    {
        var plan = Run([Node("n")], Fn("a", ["b"]), Fn("b", ["c"]), Fn("c", ["a"]), Fn("d", ["c"]), Fn("e"));
        Assert.Equal("DependencyCycle: a -> b -> c -> a", plan.Functions[0].Message);
        Assert.Equal("DependencyCycle: b -> c -> a -> b", plan.Functions[1].Message);
        Assert.All(plan.Functions.Take(3), f => Assert.Equal((PlanPhase.Failed, "DependencyCycle"), (f.Phase, f.Reason)));
        Assert.Equal((PlanPhase.Failed, "DependencyFailed"), (plan.Functions[3].Phase, plan.Functions[3].Reason));
        Assert.Equal(PlanPhase.Succeeded, plan.Functions[4].Phase);
    }

    [Fact]
    public void Unknown_args_wait_and_name_the_arg()
    {
        var plan = Run([Node("n")], Fn("a", ["ghost"]), Fn("b", ["a"]));
        Assert.Equal((PlanPhase.Waiting, "waiting for unknown args: ghost"), (plan.Functions[0].Phase, plan.Functions[0].Message));
        Assert.Equal((PlanPhase.Waiting, "waiting for args that never succeed: a"), (plan.Functions[1].Phase, plan.Functions[1].Message));
        Assert.Null(plan.Functions[0].Node);
    }

    [Fact]
    public void Never_fitting_function_is_unschedulable_and_its_dependents_wait()
    {
        var plan = Run([Node("a", ("cpu", "2")), Node("b", ("cpu", "4"))], Fn("huge", null, ("cpu", "16")), Fn("next", ["huge"]), Fn("ok"));
        var huge = plan.Functions[0];
        Assert.Equal(PlanPhase.Unschedulable, huge.Phase);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu. Unschedulable: the cost (cpu=16) exceeds the total capacity of every eligible node.", huge.Message);
        Assert.Null(huge.Start);
        Assert.Equal(PlanPhase.Waiting, plan.Functions[1].Phase);
        Assert.Equal(PlanPhase.Succeeded, plan.Functions[2].Phase);
    }

    [Fact]
    public void Only_cordoned_room_means_never_placed()
    {
        var plan = Run([Node("a", ("cpu", "8")) with { Unschedulable = true }, Node("b", ("cpu", "1"))], Fn("f", null, ("cpu", "4")));
        Assert.Equal(PlanPhase.Unschedulable, plan.Functions[0].Phase);
        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable.", plan.Functions[0].Message);
    }

    [Fact]
    public void Collocated_function_runs_where_its_target_ran_even_after_it_finished()
    {
        var plan = Run([Node("a", ("cpu", "8")), Node("b", ("cpu", "8"))],
            Fn("hog", null, ("cpu", "7")) with { Duration = S(10) },
            Fn("source", null, ("cpu", "2")),
            new PlanFunction(new SchedulingRequest(new PlacementRequest("sink", ResourceList.Of(("cpu", "1"))) { CollocateWith = "source" }), ["source"]));
        Assert.Equal("b", plan.Functions[1].Node);
        Assert.Equal(("b", S(1)), (plan.Functions[2].Node, plan.Functions[2].Start!.Value));
    }

    [Fact]
    public void Strategies_apply_per_function()
    {
        var nodes = new[] { Node("a", ("cpu", "4")), Node("b", ("cpu", "4")) };
        PlanFunction F(string id, AllocationStrategy s) =>
            new(new SchedulingRequest(new PlacementRequest(id, ResourceList.Of(("cpu", "1"))), s), []);
        var lb = Run(nodes, F("f1", AllocationStrategy.LoadBalanced), F("f2", AllocationStrategy.LoadBalanced));
        Assert.Equal(["a", "b"], lb.Functions.Select(f => f.Node));
        var fa = Run(nodes, F("f1", AllocationStrategy.FirstAvailable), F("f2", AllocationStrategy.FirstAvailable));
        Assert.Equal(["a", "a"], fa.Functions.Select(f => f.Node));
    }

    [Fact]
    public void Zero_duration_attempts_end_at_the_same_instant()
    {
        var plan = Run([Node("n")], Fn("a") with { Duration = TimeSpan.Zero }, Fn("b", ["a"]));
        Assert.Equal((S(0), S(0)), (plan.Functions[0].Start!.Value, plan.Functions[0].End!.Value));
        Assert.Equal((S(0), S(1)), (plan.Functions[1].Start!.Value, plan.Functions[1].End!.Value));
    }

    [Fact]
    public void Options_supply_the_tracker_and_allocators()
    {
        var trackers = new List<SimpleResourceTracker>();
        var used = new List<AllocationStrategy>();
        var options = new PlannerOptions
        {
            TrackerFactory = () =>
            {
                var t = new SimpleResourceTracker();
                trackers.Add(t);
                return t;
            },
            Allocators = s =>
            {
                used.Add(s);
                return Allocators.BestFit;
            },
        };
        var plan = Planner.Run([Node("a", ("cpu", "4")), Node("b", ("cpu", "2"))], [Fn("f", null, ("cpu", "1"))], options, TestContext.Current.CancellationToken);
        Assert.Equal("b", plan.Functions[0].Node);
        Assert.Single(trackers);
        Assert.Equal([AllocationStrategy.FirstAvailable], used);
        Assert.Empty(trackers[0].Allocations());
    }

    [Fact]
    public void Empty_input_is_an_empty_plan()
    {
        var plan = Run([]);
        Assert.Empty(plan.Functions);
        Assert.Equal(TimeSpan.Zero, plan.Makespan);
    }

    [Fact]
    public void Timeline_events_are_in_time_order()
    {
        var plan = Run([Node("n", ("cpu", "1"))], Fn("a", null, ("cpu", "1")), Fn("b", null, ("cpu", "1")));
        Assert.Equal(
            [(S(0), "a", PlanEventKind.Started), (S(1), "a", PlanEventKind.Succeeded), (S(1), "b", PlanEventKind.Started), (S(2), "b", PlanEventKind.Succeeded)],
            plan.Events.Select(e => (e.Time, e.Id, e.Kind)));
    }

    [Fact]
    public void Large_plan_finishes_quickly()
    {
        var nodes = Enumerable.Range(0, 50).Select(i => Node($"n{i:D2}", ("cpu", "8")));
        var fns = Enumerable.Range(0, 2000).Select(i => Fn($"f{i}", i > 0 ? [$"f{i / 2}"] : null, ("cpu", (1 + (i % 4)).ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToArray();
        var plan = Run(nodes, fns);
        Assert.All(plan.Functions, f => Assert.Equal(PlanPhase.Succeeded, f.Phase));
    }
}
