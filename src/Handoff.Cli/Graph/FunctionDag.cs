using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Dag;

namespace Handoff.Cli.Graph;

/// <summary>One function of a DAG: its id, phase (null: no status, e.g. read from a file) and node; <see cref="Missing"/> = named as an arg but does not exist.</summary>
internal sealed record DagNode(string Id, string? Phase, string? Node)
{
    public bool Missing { get; init; }

    public string Name => ObjectKeys.NameOf(Id);
}

/// <summary>
/// HandoffFunctions as a graph: an edge from each arg to the function that takes it (the direction results flow), in
/// the order of the function's args. Built with Handoff.Core's <see cref="FunctionGraph"/> (ids, args, dependents).
/// </summary>
internal sealed class FunctionDag
{
    private FunctionDag(IReadOnlyList<DagNode> nodes, IReadOnlyList<(string From, string To)> edges)
    {
        Nodes = nodes;
        Edges = edges;
    }

    /// <summary>Functions in id order, then the missing args they name.</summary>
    public IReadOnlyList<DagNode> Nodes { get; }

    public IReadOnlyList<(string From, string To)> Edges { get; }

    public static FunctionDag Build(IEnumerable<HandoffFunction> functions)
    {
        var list = functions.OrderBy(f => HandoffMapper.NamespaceOf(f), StringComparer.Ordinal).ThenBy(f => f.Metadata.Name, StringComparer.Ordinal).ToList();
        var graph = new FunctionGraph(list.Select(f => new FunctionDependencies(Id(f), [.. (f.Spec?.Args ?? []).Select(a => ObjectKeys.Of(HandoffMapper.NamespaceOf(f), a))])));
        var nodes = list.Select(f => new DagNode(Id(f), f.Status?.Phase, f.Status?.Node)).ToList();
        var edges = new List<(string, string)>();
        foreach (var f in list)
        {
            var id = Id(f);
            edges.AddRange(graph.ArgsOf(id).Select(a => (a, id)));
            if (graph.UnknownArgs.TryGetValue(id, out var unknown))
            {
                edges.AddRange(unknown.Select(u => (u, id)));
            }
        }

        var known = nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        nodes.AddRange(graph.UnknownArgs.Values.SelectMany(u => u).Distinct(StringComparer.Ordinal).Where(u => !known.Contains(u)).Order(StringComparer.Ordinal)
            .Select(u => new DagNode(u, null, null) { Missing = true }));
        return new FunctionDag(nodes, edges);
    }

    /// <summary>The part of the DAG connected to <paramref name="id"/> (everything it depends on or that depends on it, transitively).</summary>
    public FunctionDag ComponentOf(string id)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { id };
        var queue = new Queue<string>([id]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var (from, to) in Edges)
            {
                var next = from == current ? to : to == current ? from : null;
                if (next is not null && reached.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return new FunctionDag([.. Nodes.Where(n => reached.Contains(n.Id))], [.. Edges.Where(e => reached.Contains(e.From))]);
    }

    public IEnumerable<string> ArgsOf(string id) => Edges.Where(e => e.To == id).Select(e => e.From);

    public IEnumerable<string> DependentsOf(string id) => Edges.Where(e => e.From == id).Select(e => e.To);

    /// <summary>
    /// Each function's layer: 0 for one with no args, else one more than its deepest arg (functions in a cycle are put
    /// after the layers of the rest).
    /// </summary>
    public IReadOnlyDictionary<string, int> Layers()
    {
        var layer = new Dictionary<string, int>(StringComparer.Ordinal);
        var remaining = Nodes.Select(n => n.Id).ToList();
        var depth = 0;
        while (remaining.Count > 0)
        {
            var ready = remaining.Where(id => ArgsOf(id).All(layer.ContainsKey)).ToList();
            if (ready.Count == 0)
            {
                ready = remaining; // A cycle: what is left goes in one layer.
            }

            foreach (var id in ready)
            {
                layer[id] = ArgsOf(id).Where(layer.ContainsKey).Select(a => layer[a] + 1).DefaultIfEmpty(0).Max();
            }

            remaining.RemoveAll(ready.Contains);
            depth++;
        }

        return layer;
    }

    private static string Id(HandoffFunction f) => ObjectKeys.Of(HandoffMapper.NamespaceOf(f), f.Metadata.Name);
}
