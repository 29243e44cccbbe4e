namespace Handoff.Core.Dag;

/// <summary>
/// A function and the ids of the functions whose results it takes (<c>args</c>), in order, and the function it must
/// be collocated with (<see cref="CollocateWith"/>), which must exist but need not succeed first.
/// </summary>
public sealed record FunctionDependencies(string Id, IReadOnlyList<string> Args)
{
    public string? CollocateWith { get; init; }
}

/// <summary>
/// The dependency graph of a set of functions, built from their <c>args</c>. Ids are opaque strings (the operator
/// and planner use <c>namespace/name</c>; args are resolved in the function's namespace before building).
/// The input order is the queue order: every list this type returns follows it.
/// </summary>
/// <remarks>
/// Problems are reported, not thrown: <see cref="UnknownArgs"/> (args naming no function),
/// <see cref="UnknownCollocation"/> (a collocation target that names no function), <see cref="Cycles"/>
/// (each as a path <c>a -> b -> c -> a</c>, where <c>a -> b</c> means a has b in its args; a self-dependency is the
/// cycle <c>a -> a</c>). A function in a cycle can never run; its dependents can never run either.
/// </remarks>
public sealed class FunctionGraph
{
    // Shared by every function no other depends on; never added to (the constructor adds to lists of its own).
    private static readonly List<int> NoDependents = [];

    private readonly Dictionary<string, int> _index;
    private readonly string[] _ids;
    private readonly string[][] _args;
    private readonly int[][] _knownArgs;
    private readonly List<int>[] _dependents;
    private readonly Dictionary<string, int> _inCycle = new(StringComparer.Ordinal);
    private readonly List<HashSet<int>> _components = [];

    /// <summary>Builds the graph. Throws <see cref="ArgumentException"/> on a duplicate id (callers validate names first).</summary>
    public FunctionGraph(IEnumerable<FunctionDependencies> functions)
    {
        var list = functions.ToList();
        _ids = [.. list.Select(f => f.Id)];
        _index = new Dictionary<string, int>(_ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < _ids.Length; i++)
        {
            if (!_index.TryAdd(_ids[i], i))
            {
                throw new ArgumentException($"duplicate function \"{_ids[i]}\"", nameof(functions));
            }
        }

        // Built on every operator pass over every function, most of which name no args or one: nothing is allocated for
        // a function beyond its arrays, and a function no one depends on shares one empty list.
        _args = new string[_ids.Length][];
        _knownArgs = new int[_ids.Length][];
        _dependents = new List<int>[_ids.Length];
        var unknown = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var unknownCollocation = new Dictionary<string, string>(StringComparer.Ordinal);
        var selfDependent = new List<string>();
        var known = new List<int>();
        for (var i = 0; i < _ids.Length; i++)
        {
            var args = _args[i] = list[i].Args as string[] ?? [.. list[i].Args];
            List<string>? missing = null;
            known.Clear();
            for (var a = 0; a < args.Length; a++)
            {
                var arg = args[a];
                if (Array.IndexOf(args, arg, 0, a) >= 0)
                {
                    continue; // named twice: one edge
                }

                if (!_index.TryGetValue(arg, out var j))
                {
                    (missing ??= []).Add(arg);
                    continue;
                }

                if (j == i)
                {
                    selfDependent.Add(_ids[i]);
                }

                (_dependents[j] ??= []).Add(i);
                known.Add(j);
            }

            _knownArgs[i] = known.Count == 0 ? [] : [.. known];
            if (missing is not null)
            {
                unknown[_ids[i]] = missing;
            }

            if (list[i].CollocateWith is { } target && !_index.ContainsKey(target))
            {
                unknownCollocation[_ids[i]] = target;
            }
        }

        for (var i = 0; i < _dependents.Length; i++)
        {
            _dependents[i] ??= NoDependents;
        }

        UnknownArgs = unknown;
        UnknownCollocation = unknownCollocation;
        SelfDependent = selfDependent;
        Cycles = FindCycles();
        for (var c = 0; c < _components.Count; c++)
        {
            foreach (var i in _components[c])
            {
                _inCycle[_ids[i]] = c;
            }
        }
    }

    /// <summary>All function ids in queue (input) order.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>Whether the graph has a function with this id.</summary>
    public bool Contains(string id) => _index.ContainsKey(id);

    /// <summary>The number of functions.</summary>
    public int Count => _ids.Length;

    /// <summary>The queue position (input index) of <paramref name="id"/>, or -1.</summary>
    public int IndexOf(string id) => _index.TryGetValue(id, out var i) ? i : -1;

    /// <summary>Function id → the args that name no function (in the function's args order).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> UnknownArgs { get; }

    /// <summary>Function id → its collocation target, where that names no function.</summary>
    public IReadOnlyDictionary<string, string> UnknownCollocation { get; }

    /// <summary>Whether the function at <paramref name="index"/> names an arg or a collocation target that does not exist.</summary>
    public bool HasUnknownReferences(int index) => UnknownArgs.ContainsKey(_ids[index]) || UnknownCollocation.ContainsKey(_ids[index]);

    /// <summary>Functions that name themselves in their args (queue order). Each is also a cycle <c>a -> a</c>.</summary>
    public IReadOnlyList<string> SelfDependent { get; }

    /// <summary>
    /// One cycle path per strongly connected component that has a cycle, e.g. <c>[a, b, c, a]</c>, starting at its
    /// member first in queue order. Ordered by that member's queue position.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles { get; }

    /// <summary>Formats a cycle path as <c>a -> b -> c -> a</c>.</summary>
    public static string FormatCycle(IReadOnlyList<string> cycle) => string.Join(" -> ", cycle);

    /// <summary>A shortest cycle path through <paramref name="id"/> (starting and ending at it), or null when it is in no cycle.</summary>
    public IReadOnlyList<string>? CycleOf(string id) =>
        _inCycle.TryGetValue(id, out var c) ? CyclePath(_components[c], _index[id], _knownArgs) : null;

    /// <summary>Whether the function is part of a dependency cycle (a member of a strongly connected component with a cycle).</summary>
    public bool IsInCycle(string id) => _inCycle.ContainsKey(id);

    /// <summary>The known args of <paramref name="id"/>, in args order, without duplicates.</summary>
    public IReadOnlyList<string> ArgsOf(string id) => [.. _knownArgs[_index[id]].Select(i => _ids[i])];

    /// <summary>The queue positions of the known args of the function at <paramref name="index"/>, without duplicates.</summary>
    public ReadOnlySpan<int> KnownArgsOf(int index) => _knownArgs[index];

    /// <summary>The queue positions of the functions that have the function at <paramref name="index"/> among their args.</summary>
    public IReadOnlyList<int> DependentsOf(int index) => _dependents[index];

    /// <summary>The functions that have <paramref name="id"/> in their args, in queue order.</summary>
    public IReadOnlyList<string> DependentsOf(string id) => [.. _dependents[_index[id]].Order().Select(i => _ids[i])];

    /// <summary>
    /// Every function that depends on <paramref name="id"/> directly or transitively (not <paramref name="id"/>
    /// itself), in queue order: the ones to fail with <c>DependencyFailed</c> when it fails.
    /// </summary>
    public IReadOnlyList<string> TransitiveDependents(string id)
    {
        var start = _index[id];
        var seen = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            foreach (var d in _dependents[stack.Pop()])
            {
                if (d != start && seen.Add(d))
                {
                    stack.Push(d);
                }
            }
        }

        return [.. seen.Order().Select(i => _ids[i])];
    }

    /// <summary>The args of <paramref name="id"/> that have not succeeded yet (known or not), in args order.</summary>
    public IReadOnlyList<string> PendingArgs(string id, IReadOnlySet<string> succeeded) =>
        [.. _args[_index[id]].Where(a => !succeeded.Contains(a)).Distinct(StringComparer.Ordinal)];

    private List<IReadOnlyList<string>> FindCycles()
    {
        // Tarjan's strongly connected components, iterative (graphs may be deep chains).
        var n = _ids.Length;
        var index = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var components = new List<List<int>>();
        var counter = 0;
        var known = _knownArgs;
        var work = new Stack<(int Node, int Next)>(); // empty again after each root: one for the walk, not one per root
        for (var root = 0; root < n; root++)
        {
            if (index[root] >= 0)
            {
                continue;
            }

            work.Push((root, 0));
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;
            while (work.Count > 0)
            {
                var (v, next) = work.Pop();
                if (next < known[v].Length)
                {
                    work.Push((v, next + 1));
                    var w = known[v][next];
                    if (index[w] < 0)
                    {
                        index[w] = low[w] = counter++;
                        stack.Push(w);
                        onStack[w] = true;
                        work.Push((w, 0));
                    }
                    else if (onStack[w])
                    {
                        low[v] = Math.Min(low[v], index[w]);
                    }

                    continue;
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[v]);
                }

                if (low[v] == index[v] && stack.Peek() == v)
                {
                    // A component of one function, as nearly all are: a cycle only if it names itself.
                    stack.Pop();
                    onStack[v] = false;
                    if (known[v].Contains(v))
                    {
                        components.Add([v]);
                    }
                }
                else if (low[v] == index[v])
                {
                    var component = new List<int>();
                    int w;
                    do
                    {
                        w = stack.Pop();
                        onStack[w] = false;
                        component.Add(w);
                    }
                    while (w != v);
                    if (component.Count > 1 || known[v].Contains(v))
                    {
                        components.Add(component);
                    }
                }
            }
        }

        var cycles = new List<IReadOnlyList<string>>();
        foreach (var component in components.OrderBy(c => c.Min()))
        {
            _components.Add(component.ToHashSet());
            cycles.Add(CyclePath(_components[^1], component.Min(), known));
        }

        return cycles;
    }

    private List<string> CyclePath(HashSet<int> component, int start, int[][] known)
    {
        // Breadth-first search inside the component for the shortest path back to start, preferring args order.
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>();
        queue.Enqueue(start);
        var visited = new HashSet<int> { start };
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in known[v])
            {
                if (!component.Contains(w))
                {
                    continue;
                }

                if (w == start)
                {
                    var path = new List<string> { _ids[start] };
                    for (var x = v; x != start; x = previous[x])
                    {
                        path.Add(_ids[x]);
                    }

                    path.Add(_ids[start]);
                    path.Reverse(1, path.Count - 2);
                    return path;
                }

                if (visited.Add(w))
                {
                    previous[w] = v;
                    queue.Enqueue(w);
                }
            }
        }

        throw new InvalidOperationException("unreachable: a strongly connected component always has a cycle through its members");
    }
}
