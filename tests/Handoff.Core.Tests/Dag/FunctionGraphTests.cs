using CsCheck;
using Handoff.Core.Dag;

namespace Handoff.Core.Tests.Dag;

public sealed class FunctionGraphTests
{
    private static FunctionGraph Graph(params (string Id, string[] Args)[] functions) =>
        new(functions.Select(f => new FunctionDependencies(f.Id, f.Args)));

    [Fact]
    public void Diamond_knows_its_args_and_dependents()
    {
        var g = Graph(("join", ["left", "right"]), ("left", ["source"]), ("right", ["source"]), ("source", []));
        Assert.Equal(["join", "left", "right"], g.TransitiveDependents("source"));
        Assert.Equal(["join"], g.DependentsOf("left"));
        Assert.Equal(["left", "right"], g.ArgsOf("join"));
        Assert.Empty(g.Cycles);
        Assert.Empty(g.UnknownArgs);
    }

    [Fact]
    public void Unknown_args_and_collocation_targets_are_reported()
    {
        var g = Graph(("a", ["ghost", "b", "phantom"]), ("b", []));
        Assert.Equal(["ghost", "phantom"], g.UnknownArgs["a"]);
        var withTarget = new FunctionGraph([new FunctionDependencies("a", []) { CollocateWith = "nobody" }, new FunctionDependencies("b", []) { CollocateWith = "a" }]);
        Assert.Equal("nobody", Assert.Single(withTarget.UnknownCollocation).Value);
        Assert.True(withTarget.HasUnknownReferences(0));
        Assert.False(withTarget.HasUnknownReferences(1));
    }

    [Fact]
    public void Self_dependency_is_a_cycle_of_one()
    {
        var g = Graph(("a", ["a"]), ("b", []));
        Assert.Equal(["a"], g.SelfDependent);
        Assert.Equal("a -> a", FunctionGraph.FormatCycle(Assert.Single(g.Cycles)));
        Assert.True(g.IsInCycle("a"));
    }

    [Fact]
    public void Cycle_is_reported_with_its_path_starting_at_the_first_member_in_queue_order()
    {
        var g = Graph(("x", []), ("a", ["b"]), ("b", ["c"]), ("c", ["a", "x"]), ("d", ["c"]));
        Assert.Equal("a -> b -> c -> a", FunctionGraph.FormatCycle(Assert.Single(g.Cycles)));
        Assert.Equal(["c", "a", "b", "c"], g.CycleOf("c"));
        Assert.Null(g.CycleOf("x"));
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
    public void On_random_graphs_cycles_args_and_dependents_are_what_the_edges_say() =>
        // Any edges, self-loops, repeats and unknown names included (index n is unknown): checked against plain
        // reachability, not against the graph's own walk.
        Gen.Int[1, 25].SelectMany(n => Gen.Int[0, n].Array[0, 4].Array[n].Select(args => (n, args))).Sample(t =>
        {
            var (n, args) = t;
            string Id(int i) => i == n ? "unknown" : $"f{i}";
            var g = new FunctionGraph(args.Select((a, i) => new FunctionDependencies(Id(i), [.. a.Select(Id)])));
            var edges = args.Select(a => a.Where(j => j < n).Distinct().ToArray()).ToArray();
            bool Reaches(int from, int to)
            {
                var seen = new HashSet<int>();
                var queue = new Queue<int>(edges[from]);
                while (queue.TryDequeue(out var v))
                {
                    if (v == to)
                    {
                        return true;
                    }

                    if (seen.Add(v))
                    {
                        foreach (var w in edges[v])
                        {
                            queue.Enqueue(w);
                        }
                    }
                }

                return false;
            }

            for (var i = 0; i < n; i++)
            {
                Assert.Equal(Reaches(i, i), g.IsInCycle(Id(i)));
                Assert.Equal(edges[i].Select(Id), g.ArgsOf(Id(i)));
                Assert.Equal(Enumerable.Range(0, n).Where(j => edges[j].Contains(i)).Select(Id), g.DependentsOf(Id(i)));
                Assert.Equal(args[i].Contains(n), g.UnknownArgs.ContainsKey(Id(i)));
                if (g.CycleOf(Id(i)) is { } cycle)
                {
                    // A closed path from the function back to it: each member names the next.
                    Assert.Equal(Id(i), cycle[0]);
                    Assert.Equal(Id(i), cycle[^1]);
                    Assert.All(cycle.Zip(cycle.Skip(1)), e => Assert.Contains(int.Parse(e.Second[1..], System.Globalization.CultureInfo.InvariantCulture), edges[int.Parse(e.First[1..], System.Globalization.CultureInfo.InvariantCulture)]));
                }
            }
        }, iter: 500);
}
