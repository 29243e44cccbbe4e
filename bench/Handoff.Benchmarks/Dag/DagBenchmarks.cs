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
/// FunctionGraph at 10k and 100k functions: the ready set (what the operator computes after every completion)
/// and building the graph (cycle detection and topological order included).
/// </summary>
[Config(typeof(FastConfig))]
public class DagBenchmarks
{
    private List<FunctionDependencies> _functions = [];
    private FunctionGraph _graph = null!;
    private HashSet<string> _succeeded = [];
    private readonly HashSet<string> _failed = [];

    [Params(10_000, 100_000)]
    public int Functions { get; set; }

    [Params(DagShape.Wide, DagShape.Deep)]
    public DagShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _functions = DagShapes.Create(Shape, Functions);
        _graph = new FunctionGraph(_functions);
        _succeeded = DagShapes.Succeeded(Shape, Functions);
    }

    [Benchmark]
    public int ReadySet() => _graph.Ready(_succeeded, _failed).Count;

    [Benchmark]
    public int BuildGraph() => new FunctionGraph(_functions).TopologicalOrder.Count;
}
