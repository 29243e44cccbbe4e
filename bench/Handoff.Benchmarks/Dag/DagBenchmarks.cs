using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Dag;

namespace Handoff.Benchmarks.Dag;

/// <summary>The dependency shapes of the DAG benchmarks.</summary>
public enum DagShape
{
    /// <summary>A tenth of the functions are roots; every other one takes two random roots as args. Half the roots have succeeded.</summary>
    Wide,

    /// <summary>One chain: each function takes the previous one. The first half has succeeded.</summary>
    Deep,
}

/// <summary>Builds the dependency graphs for the DAG and planner benchmarks (deterministic).</summary>
public static class DagShapes
{
    public static string Id(int i) => $"default/f-{i:D6}";

    public static List<FunctionDependencies> Create(DagShape shape, int count, int seed = 7)
    {
        var random = new Random(seed);
        var roots = Math.Max(1, count / 10);
        var functions = new List<FunctionDependencies>(count);
        for (var i = 0; i < count; i++)
        {
            IReadOnlyList<string> args = shape switch
            {
                DagShape.Deep => i == 0 ? [] : [Id(i - 1)],
                _ => i < roots ? [] : [Id(random.Next(roots)), Id(random.Next(roots))],
            };
            functions.Add(new FunctionDependencies(Id(i), args));
        }

        return functions;
    }

    public static HashSet<string> Succeeded(DagShape shape, int count) =>
        [.. Enumerable.Range(0, shape == DagShape.Deep ? count / 2 : Math.Max(1, count / 10) / 2).Select(Id)];
}

/// <summary>
/// FunctionGraph at 10k and 100k functions: resolving every function's dependencies (what the operator computes on
/// every pass) and building the graph (cycle detection included).
/// </summary>
[Config(typeof(FastConfig))]
public class DagBenchmarks
{
    private List<FunctionDependencies> _functions = [];
    private FunctionGraph _graph = null!;
    private ArgOutcome[] _outcomes = [];

    [Params(10_000, 100_000)]
    public int Functions { get; set; }

    [Params(DagShape.Wide, DagShape.Deep)]
    public DagShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _functions = DagShapes.Create(Shape, Functions);
        _graph = new FunctionGraph(_functions);
        var succeeded = DagShapes.Succeeded(Shape, Functions);
        _outcomes = [.. _graph.Ids.Select(id => succeeded.Contains(id) ? ArgOutcome.Succeeded : ArgOutcome.Unfinished)];
    }

    [Benchmark]
    public int ResolveDependencies() => DependencyResolver.Resolve(_graph, _outcomes).Count(d => d.Status == DependencyStatus.Ready);

    [Benchmark]
    public int BuildGraph() => new FunctionGraph(_functions).Cycles.Count;
}
