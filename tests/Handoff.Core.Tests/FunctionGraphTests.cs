using CsCheck;
using Handoff.Core.Dag;

namespace Handoff.Core.Tests;

public sealed class FunctionGraphTests
{
    private static FunctionGraph Graph(params (string Id, string[] Args)[] functions) =>
        new(functions.Select(f => new FunctionDependencies(f.Id, f.Args)));

    private static readonly HashSet<string> None = [];

    [Fact]
    public void Diamond_orders_and_becomes_ready_step_by_step()
    {
        var g = Graph(("join", ["left", "right"]), ("left", ["source"]), ("right", ["source"]), ("source", []));
        Assert.Equal(["source", "left", "right", "join"], g.TopologicalOrder);
        Assert.Equal(["source"], g.Ready(None, None));
        Assert.Equal(["left", "right"], g.Ready(new HashSet<string> { "source" }, None));
        Assert.Equal(["right"], g.Ready(new HashSet<string> { "source", "left" }, None));
        Assert.Equal(["join"], g.Ready(new HashSet<string> { "source", "left", "right" }, None));
        Assert.Empty(g.Ready(new HashSet<string> { "source", "left", "right", "join" }, None));
        Assert.Equal(["join", "left", "right"], g.TransitiveDependents("source"));
        Assert.Equal(["join"], g.DependentsOf("left"));
        Assert.Equal(["left", "right"], g.ArgsOf("join"));
        Assert.Equal(["right"], g.PendingArgs("join", new HashSet<string> { "left" }));
        Assert.Empty(g.Cycles);
        Assert.Empty(g.UnknownArgs);
    }

    [Fact]
    public void Failed_functions_and_their_dependents_are_not_ready()
    {
        var g = Graph(("a", []), ("b", ["a"]), ("c", []));
        Assert.Equal(["c"], g.Ready(None, new HashSet<string> { "a" }));
    }

    [Fact]
    public void Unknown_args_are_reported_and_never_ready()
    {
        var g = Graph(("a", ["ghost", "b", "phantom"]), ("b", []));
        Assert.Equal(["ghost", "phantom"], g.UnknownArgs["a"]);
        Assert.Equal(["b"], g.Ready(None, None));
        Assert.Empty(g.Ready(new HashSet<string> { "b" }, None));
        Assert.Equal(["b", "a"], g.TopologicalOrder);
    }

    [Fact]
    public void Self_dependency_is_a_cycle_of_one()
    {
        var g = Graph(("a", ["a"]), ("b", []));
        Assert.Equal(["a"], g.SelfDependent);
        Assert.Equal("a -> a", FunctionGraph.FormatCycle(Assert.Single(g.Cycles)));
        Assert.Equal(["b"], g.Ready(None, None));
        Assert.True(g.IsInCycle("a"));
    }

    [Fact]
    public void Cycle_is_reported_with_its_path_starting_at_the_first_member_in_queue_order()
    {
        var g = Graph(("x", []), ("a", ["b"]), ("b", ["c"]), ("c", ["a", "x"]), ("d", ["c"]));
        Assert.Equal("a -> b -> c -> a", FunctionGraph.FormatCycle(Assert.Single(g.Cycles)));
        Assert.Equal(["c", "a", "b", "c"], g.CycleOf("c"));
        Assert.Null(g.CycleOf("x"));
        Assert.Equal(["x"], g.TopologicalOrder);
        Assert.Equal(["x"], g.Ready(None, None));
        Assert.Empty(g.Ready(new HashSet<string> { "x" }, None));
        Assert.Contains("d", g.TransitiveDependents("a"));
    }

    [Fact]
    public void Every_member_of_an_entangled_cycle_is_in_a_cycle_with_its_own_path()
    {
        // a <-> b, and b -> c -> d -> b: one strongly connected component.
        var g = Graph(("a", ["b"]), ("b", ["a", "c"]), ("c", ["d"]), ("d", ["b"]));
        Assert.Equal("a -> b -> a", FunctionGraph.FormatCycle(Assert.Single(g.Cycles)));
        Assert.All(g.Ids, id => Assert.True(g.IsInCycle(id)));
        Assert.Equal("c -> d -> b -> c", FunctionGraph.FormatCycle(g.CycleOf("c")!));
        Assert.Empty(g.Ready(new HashSet<string>(), new HashSet<string>()));
    }

    [Fact]
    public void Two_separate_cycles_are_both_reported()
    {
        var g = Graph(("p", ["q"]), ("q", ["p"]), ("r", ["s"]), ("s", ["r"]));
        Assert.Equal(["p -> q -> p", "r -> s -> r"], g.Cycles.Select(FunctionGraph.FormatCycle));
    }

    [Fact]
    public void Duplicate_ids_throw()
    {
        Assert.Throws<ArgumentException>(() => Graph(("a", []), ("a", [])));
    }

    [Fact]
    public void Deep_chain_does_not_overflow_the_stack()
    {
        var n = 20_000;
        var g = new FunctionGraph(Enumerable.Range(0, n).Select(i => new FunctionDependencies($"f{i}", i == 0 ? [$"f{n - 1}"] : [$"f{i - 1}"])));
        var cycle = Assert.Single(g.Cycles);
        Assert.Equal(n + 1, cycle.Count);
        Assert.Equal("f0", cycle[0]);
        Assert.Equal("f19999", cycle[1]);
    }

    [Fact]
    public void Random_acyclic_graphs_have_a_valid_topological_order_and_no_cycles() =>
        Gen.Int[0, 30].SelectMany(n => Gen.Int[0, Math.Max(0, n - 1)].Array[0, 3].Array[n]).Sample(argIndexes =>
        {
            // Function i may only take args j < i: acyclic by construction; ids are shuffled by reversing the queue order.
            var functions = argIndexes.Select((args, i) => new FunctionDependencies($"f{i}", [.. args.Where(j => j < i).Select(j => $"f{j}")])).Reverse().ToList();
            var g = new FunctionGraph(functions);
            Assert.Empty(g.Cycles);
            var position = g.TopologicalOrder.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            Assert.Equal(functions.Count, position.Count);
            foreach (var f in functions)
            {
                Assert.All(f.Args, a => Assert.True(position[a] < position[f.Id]));
            }
        }, iter: 200);
}
