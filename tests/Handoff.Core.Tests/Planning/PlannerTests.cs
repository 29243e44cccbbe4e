using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Core.Tests.Planning;

public sealed class PlannerTests
{
    private static NodeInfo Node(string name, params (string, string)[] capacity) => new(name, ResourceList.Of(capacity));

    private static PlanFunction Fn(string id, string[]? args = null, params (string, string)[] cost) =>
        new(new PlacementRequest(id, ResourceList.Of(cost)), args ?? []);

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
        Assert.All(plan.Functions, f => Assert.Equal(FunctionPhase.Succeeded, f.Phase));
        Assert.Equal(["node-1", "node-1", "node-2"], plan.Functions.Select(f => f.Node));
        Assert.All(plan.Functions, f => Assert.Equal((S(0), S(1)), (f.Start!.Value, f.End!.Value)));
        Assert.Equal(S(1), plan.Makespan);
        Assert.Equal(ResourceList.Of(("cpu", "6"), ("memory", "4000"), ("gpu", "1")), plan.Nodes[0].Peak);
        Assert.Equal(ResourceList.Of(("cpu", "0"), ("memory", "0"), ("specialized_hardware", "1")), plan.Nodes[1].Peak);
    }

    [Fact]
    public void Inputs_over_the_limits_fail_when_ready_without_being_placed_and_fail_their_dependents()
    {
        var plan = Run([Node("n", ("cpu", "4"))],
            Fn("source", null, ("cpu", "1")),
            Fn("huge", ["source"], ("cpu", "1")) with { ExtraArgs = [new string('x', InputLimits.MaxArgsBytes)] },
            Fn("after", ["huge"]),
            Fn("fits", ["source"]) with { ExtraArgs = [new string('x', 1000)] });
        var byId = plan.Functions.ToDictionary(f => f.Id);

        Assert.Equal((FunctionPhase.Failed, Reasons.InputTooLarge, 0), (byId["huge"].Phase, byId["huge"].Reason, byId["huge"].Attempts));
        Assert.StartsWith("HANDOFF_ARGS would be 131065 bytes (1 result(s) of args, 1 extraArgs), more than the 131058 allowed", byId["huge"].Message, StringComparison.Ordinal);
        Assert.Null(byId["huge"].Node);
        Assert.Equal((FunctionPhase.Failed, Reasons.DependencyFailed), (byId["after"].Phase, byId["after"].Reason));
        Assert.Equal(FunctionPhase.Succeeded, byId["fits"].Phase);
        Assert.DoesNotContain(plan.Events, e => e.Id == "huge");
    }

    [Fact]
    public void Many_containers_multiply_the_environment()
    {
        var extra = Enumerable.Repeat(new string('x', 4000), 25).ToList();
        var plan = Run([Node("n", ("cpu", "4"))],
            Fn("five") with { ExtraArgs = extra, Containers = 5 },
            Fn("six") with { ExtraArgs = extra, Containers = 6 });

        Assert.Equal(FunctionPhase.Succeeded, plan.Functions[0].Phase);
        Assert.Equal((FunctionPhase.Failed, Reasons.InputTooLarge), (plan.Functions[1].Phase, plan.Functions[1].Reason));
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
    public void Failed_attempts_are_retried_after_the_operators_back_off_until_maxRetries()
    {
        var plan = Run([Node("n", ("cpu", "1"))],
            Fn("flaky", null, ("cpu", "1")) with { Fails = true, Retry = new RetryPolicy(2) },
            Fn("other", null, ("cpu", "1")),
            Fn("after", ["flaky"]));
        var flaky = plan.Functions[0];
        Assert.Equal(FunctionPhase.Failed, flaky.Phase);
        Assert.Equal(3, flaky.Attempts);

        // Attempt 1 fails at 1 s; attempt 2 after 10 s (11–12); attempt 3 after 20 s more (32–33).
        Assert.Equal([S(0), S(11), S(32)], plan.Events.Where(e => e.Id == "flaky" && e.Kind == PlanEventKind.Started).Select(e => e.Time));
        Assert.Equal((S(32), S(33)), (flaky.Start!.Value, flaky.End!.Value));
        Assert.Equal((Reasons.RetriesExhausted, "pod flaky-3 failed; 3 attempt(s) failed (maxRetries 2)"), (flaky.Reason, flaky.Message));

        // While flaky backs off, the node is free for the next in line.
        Assert.Equal((S(1), S(2)), (plan.Functions[1].Start!.Value, plan.Functions[1].End!.Value));
        var after = plan.Functions[2];
        Assert.Equal(FunctionPhase.Failed, after.Phase);
        Assert.Equal(Reasons.DependencyFailed, after.Reason);
        Assert.Equal("dependency flaky failed", after.Message);
        Assert.Null(after.Start);
        Assert.Equal(0, after.Attempts);
        Assert.Equal(3, plan.Events.Count(e => e.Kind == PlanEventKind.Failed));
    }

    [Fact]
    public void The_queue_goes_by_ready_time_so_a_dag_step_does_not_overtake_work_ready_for_longer()
    {
        // Two chains on one slot. At 1 s "a1" ends: "a2" becomes ready then, "z1" has been ready since 0 — "z1" goes first
        // (ordering by name alone, as the first round did, started "a2").
        var plan = Run([Node("n", ("cpu", "1"))],
            Fn("a1", null, ("cpu", "1")), Fn("a2", ["a1"], ("cpu", "1")), Fn("z1", null, ("cpu", "1")), Fn("z2", ["z1"], ("cpu", "1")));
        var byId = plan.Functions.ToDictionary(f => f.Id);
        Assert.Equal([S(0), S(1), S(2), S(3)], new[] { "a1", "z1", "a2", "z2" }.Select(id => byId[id].Start!.Value));
    }

    [Fact]
    public void The_order_of_the_input_does_not_change_the_plan()
    {
        PlanFunction[] fns =
        [
            Fn("c", null, ("cpu", "2")), Fn("a", null, ("cpu", "2")), Fn("b", ["a"], ("cpu", "1")), Fn("d", null, ("cpu", "1")),
        ];
        var one = Run([Node("n", ("cpu", "3"))], fns);
        var other = Run([Node("n", ("cpu", "3"))], [.. fns.Reverse()]);
        Assert.Equal(
            one.Functions.OrderBy(f => f.Id, StringComparer.Ordinal).Select(f => (f.Id, f.Start, f.Node)),
            other.Functions.OrderBy(f => f.Id, StringComparer.Ordinal).Select(f => (f.Id, f.Start, f.Node)));
    }

    [Fact]
    public void MaxRetries_zero_means_a_single_attempt()
    {
        var plan = Run([Node("n")], Fn("f") with { Fails = true, Retry = new RetryPolicy(0) });
        Assert.Equal(1, plan.Functions[0].Attempts);
        Assert.Equal(FunctionPhase.Failed, plan.Functions[0].Phase);
    }

    [Fact]
    public void Dependency_failure_propagates_transitively()
    {
        var plan = Run([Node("n")], Fn("a") with { Fails = true, Retry = new RetryPolicy(0) }, Fn("b", ["a"]), Fn("c", ["b"]), Fn("d"));
        Assert.Equal([FunctionPhase.Failed, FunctionPhase.Failed, FunctionPhase.Failed, FunctionPhase.Succeeded], plan.Functions.Select(f => f.Phase));
        Assert.Equal("dependency a failed", plan.Functions[1].Message);
        Assert.Equal("dependency b failed", plan.Functions[2].Message);
    }

    [Fact]
    public void Cycle_members_fail_with_the_cycle_path_and_their_dependents_fail_too()
    {
        var plan = Run([Node("n")], Fn("a", ["b"]), Fn("b", ["c"]), Fn("c", ["a"]), Fn("d", ["c"]), Fn("e"));
        Assert.Equal("dependency cycle: a -> b -> c -> a", plan.Functions[0].Message);
        Assert.Equal("dependency cycle: b -> c -> a -> b", plan.Functions[1].Message);
        Assert.All(plan.Functions.Take(3), f => Assert.Equal((FunctionPhase.Failed, "DependencyCycle"), (f.Phase, f.Reason)));
        Assert.Equal((FunctionPhase.Failed, "DependencyFailed"), (plan.Functions[3].Phase, plan.Functions[3].Reason));
        Assert.Equal(FunctionPhase.Succeeded, plan.Functions[4].Phase);
    }

    [Fact]
    public void Unknown_args_wait_and_name_the_arg()
    {
        var plan = Run([Node("n")], Fn("a", ["ghost"]), Fn("b", ["a"]));
        Assert.Equal((FunctionPhase.Waiting, Reasons.UnknownDependency, "unknown args (no such HandoffFunction in this namespace): ghost"), (plan.Functions[0].Phase, plan.Functions[0].Reason, plan.Functions[0].Message));
        Assert.Equal((FunctionPhase.Waiting, Reasons.WaitingForDependencies, "waiting for args to succeed: a"), (plan.Functions[1].Phase, plan.Functions[1].Reason, plan.Functions[1].Message));
        Assert.Null(plan.Functions[0].Node);
    }

    [Fact]
    public void Never_fitting_function_is_unschedulable_and_its_dependents_wait()
    {
        var plan = Run([Node("a", ("cpu", "2")), Node("b", ("cpu", "4"))], Fn("huge", null, ("cpu", "16")), Fn("next", ["huge"]), Fn("ok"));
        var huge = plan.Functions[0];
        Assert.Equal((FunctionPhase.Pending, Reasons.Unschedulable), (huge.Phase, huge.Reason));
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu. Unschedulable: the cost (cpu=16) exceeds the total capacity of every eligible node.", huge.Message);
        Assert.Null(huge.Start);
        Assert.Equal(FunctionPhase.Waiting, plan.Functions[1].Phase);
        Assert.Equal(FunctionPhase.Succeeded, plan.Functions[2].Phase);
    }

    [Fact]
    public void Only_cordoned_room_means_never_placed()
    {
        var plan = Run([Node("a", ("cpu", "8")) with { Unschedulable = true }, Node("b", ("cpu", "1"))], Fn("f", null, ("cpu", "4")));
        Assert.Equal((FunctionPhase.Pending, Reasons.FailedScheduling), (plan.Functions[0].Phase, plan.Functions[0].Reason));
        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable.", plan.Functions[0].Message);
    }

    [Fact]
    public void Collocated_function_runs_where_its_target_ran_even_after_it_finished()
    {
        var plan = Run([Node("a", ("cpu", "8")), Node("b", ("cpu", "8"))],
            Fn("hog", null, ("cpu", "7")) with { Duration = S(10) },
            Fn("source", null, ("cpu", "2")),
            new PlanFunction(new PlacementRequest("sink", ResourceList.Of(("cpu", "1"))) { CollocateWith = "source" }, ["source"]));
        Assert.Equal("b", plan.Functions[1].Node);
        Assert.Equal(("b", S(1)), (plan.Functions[2].Node, plan.Functions[2].Start!.Value));
    }

    [Fact]
    public void Strategies_apply_per_function()
    {
        var nodes = new[] { Node("a", ("cpu", "4")), Node("b", ("cpu", "4")) };
        PlanFunction F(string id, AllocationStrategy s) =>
            new(new PlacementRequest(id, ResourceList.Of(("cpu", "1"))), []) { Strategy = s };
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
        Assert.All(plan.Functions, f => Assert.Equal(FunctionPhase.Succeeded, f.Phase));
    }
}
