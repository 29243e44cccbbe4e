using CsCheck;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;

namespace Handoff.Core.Tests.Dag;

public sealed class DependencyResolverTests
{
    private static FunctionGraph Graph(params (string Id, string[] Args)[] functions) =>
        new(functions.Select(f => new FunctionDependencies(f.Id, f.Args)));

    private static DependencyState[] Resolve(FunctionGraph g, params ArgOutcome[] outcomes) => DependencyResolver.Resolve(g, outcomes);

    [Fact]
    public void A_diamond_becomes_ready_step_by_step()
    {
        var g = Graph(("join", ["left", "right"]), ("left", ["source"]), ("right", ["source"]), ("source", []));
        var u = ArgOutcome.Unfinished;
        var ok = ArgOutcome.Succeeded;
        Assert.Equal([DependencyStatus.Waiting, DependencyStatus.Waiting, DependencyStatus.Waiting, DependencyStatus.Ready], Resolve(g, u, u, u, u).Select(d => d.Status));
        Assert.Equal([DependencyStatus.Waiting, DependencyStatus.Ready, DependencyStatus.Ready, DependencyStatus.Ready], Resolve(g, u, u, u, ok).Select(d => d.Status));
        var join = Resolve(g, u, ok, u, ok)[0];
        Assert.Equal((DependencyStatus.Waiting, Reasons.WaitingForDependencies, "waiting for args to succeed: right"), (join.Status, join.Reason, join.Message));
        Assert.Equal(DependencyStatus.Ready, Resolve(g, u, ok, ok, ok)[0].Status);
    }

    [Fact]
    public void A_failure_fails_the_dependents_transitively_naming_the_arg_it_came_through()
    {
        var g = Graph(("ns/a", []), ("ns/b", ["ns/a"]), ("ns/c", ["ns/b"]), ("ns/d", []), ("ns/e", ["ns/a"]));
        var states = Resolve(g, ArgOutcome.Failed, ArgOutcome.Unfinished, ArgOutcome.Unfinished, ArgOutcome.Unfinished, ArgOutcome.Succeeded);
        Assert.Equal((DependencyStatus.DependencyFailed, "dependency a failed"), (states[1].Status, states[1].Message));
        Assert.Equal((DependencyStatus.DependencyFailed, "dependency b failed"), (states[2].Status, states[2].Message));
        Assert.Equal(DependencyStatus.Ready, states[3].Status);

        // A dependent that finished (here: it Succeeded before its arg was re-created as failed) stays as it is.
        Assert.NotEqual(DependencyStatus.DependencyFailed, states[4].Status);
    }

    [Fact]
    public void Cycle_members_and_their_dependents_can_never_run()
    {
        var g = Graph(("a", ["b"]), ("b", ["a"]), ("c", ["b"]), ("d", []));
        var states = Resolve(g, ArgOutcome.Unfinished, ArgOutcome.Unfinished, ArgOutcome.Unfinished, ArgOutcome.Unfinished);
        Assert.Equal((DependencyStatus.Cycle, Reasons.DependencyCycle, "dependency cycle: a -> b -> a"), (states[0].Status, states[0].Reason, states[0].Message));
        Assert.Equal((DependencyStatus.DependencyFailed, "dependency b failed"), (states[2].Status, states[2].Message));
        Assert.True(states[2].FailsFunction);
        Assert.Equal(DependencyStatus.Ready, states[3].Status);
    }

    [Fact]
    public void Unknown_args_and_an_unknown_collocation_target_keep_a_function_waiting_with_both_named()
    {
        var g = new FunctionGraph(
        [
            new FunctionDependencies("ns/a", ["ns/ghost"]) { CollocateWith = "ns/nobody" },
            new FunctionDependencies("ns/b", []) { CollocateWith = "ns/nobody" },
        ]);
        var states = Resolve(g, ArgOutcome.Unfinished, ArgOutcome.Unfinished);
        Assert.Equal(DependencyStatus.UnknownReference, states[0].Status);
        Assert.Equal(Reasons.UnknownDependency, states[1].Reason);
        Assert.Equal(
            "unknown args (no such HandoffFunction in this namespace): ghost; unknown collocateWith (no such HandoffFunction in this namespace): nobody",
            states[0].Message);
        Assert.Equal("unknown collocateWith (no such HandoffFunction in this namespace): nobody", states[1].Message);
    }

    [Fact]
    public void Outcomes_must_match_the_graph()
    {
        Assert.Throws<ArgumentException>(() => Resolve(Graph(("a", [])), ArgOutcome.Succeeded, ArgOutcome.Succeeded));
    }

    [Fact]
    public void On_random_acyclic_graphs_running_what_is_ready_finishes_everything_in_dependency_order() =>
        Gen.Int[0, 30].SelectMany(n => Gen.Int[0, Math.Max(0, n - 1)].Array[0, 3].Array[n]).Sample(argIndexes =>
        {
            // Function i may only take args j < i: acyclic by construction; the queue order is reversed.
            var functions = argIndexes.Select((args, i) => new FunctionDependencies($"f{i}", [.. args.Where(j => j < i).Select(j => $"f{j}")])).Reverse().ToList();
            var g = new FunctionGraph(functions);
            Assert.Empty(g.Cycles);
            var outcomes = new ArgOutcome[g.Count];
            var finishedAt = new int[g.Count];
            for (var round = 1; outcomes.Any(o => o == ArgOutcome.Unfinished); round++)
            {
                var ready = DependencyResolver.Resolve(g, outcomes).Select((d, i) => (d, i)).Where(x => outcomes[x.i] == ArgOutcome.Unfinished && x.d.Status == DependencyStatus.Ready).ToList();
                Assert.NotEmpty(ready);
                foreach (var (_, i) in ready)
                {
                    (outcomes[i], finishedAt[i]) = (ArgOutcome.Succeeded, round);
                }
            }

            foreach (var f in functions)
            {
                Assert.All(f.Args, a => Assert.True(finishedAt[g.IndexOf(a)] < finishedAt[g.IndexOf(f.Id)]));
            }
        }, iter: 200);

    [Fact]
    public void Resolving_only_the_connected_functions_gives_what_the_whole_graph_gives() =>
        // Ten functions in a random queue order; each names up to three args and maybe a collocation target among twelve
        // names (two name no function), so cycles, unknown references, failures and independent functions all occur.
        Gen.Select(Gen.Int[0, 11].Array[0, 3], Gen.Int[-8, 11], Gen.Enum<ArgOutcome>()).Array[10].Select(Gen.Shuffle(Enumerable.Range(0, 10).ToArray()))
            .Sample((specs, order) =>
            {
                var functions = order.Select(i => new FunctionDependencies($"f{i}", [.. specs[i].Item1.Select(a => $"f{a}")])
                {
                    CollocateWith = specs[i].Item2 < 0 ? null : $"f{specs[i].Item2}",
                }).ToList();
                var outcomes = order.Select(i => specs[i].Item3).ToArray();

                var whole = DependencyResolver.Resolve(new FunctionGraph(functions), outcomes);
                var connected = DependencyResolver.ResolveConnected(functions, outcomes);

                Assert.Equal(whole.Length, connected.Length);
                for (var i = 0; i < whole.Length; i++)
                {
                    Assert.Equal(whole[i].Status, connected[i].Status);
                    Assert.Equal(whole[i].Ids, connected[i].Ids);
                    Assert.Equal(whole[i].UnknownCollocation, connected[i].UnknownCollocation);
                }
            }, iter: 500);

    [Fact]
    public void Functions_that_name_nothing_and_are_named_by_none_are_ready_without_a_graph()
    {
        var functions = new[] { new FunctionDependencies("a", []), new FunctionDependencies("b", []) };

        var states = DependencyResolver.ResolveConnected(functions, [ArgOutcome.Failed, ArgOutcome.Unfinished]);

        Assert.All(states, s => Assert.Same(DependencyState.Ready, s));
    }
}
