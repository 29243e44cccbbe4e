namespace Handoff.Core.Dag;

/// <summary>What is known of a function's own outcome when its dependents are resolved.</summary>
public enum ArgOutcome
{
    /// <summary>Not finished (or not started).</summary>
    Unfinished,

    Succeeded,

    Failed,
}

/// <summary>Why a function may or may not start, as far as its dependencies go.</summary>
public enum DependencyStatus
{
    /// <summary>Every arg Succeeded and every reference exists.</summary>
    Ready,

    /// <summary>Some args have not Succeeded yet (<see cref="DependencyState.Ids"/> lists them).</summary>
    Waiting,

    /// <summary>An arg or the collocation target names no function (listed); it waits until one is created.</summary>
    UnknownReference,

    /// <summary>The function is in a dependency cycle (the path is listed): it can never run.</summary>
    Cycle,

    /// <summary>An arg failed, or depends on one that did (the failed arg is listed): it can never run.</summary>
    DependencyFailed,
}

/// <summary>
/// A function's dependency state. <see cref="Ids"/>: for <see cref="DependencyStatus.Waiting"/> the args not yet
/// Succeeded; for <see cref="DependencyStatus.UnknownReference"/> the unknown args, then the unknown collocation target
/// (<see cref="UnknownCollocation"/>); for <see cref="DependencyStatus.Cycle"/> the cycle path; for
/// <see cref="DependencyStatus.DependencyFailed"/> the arg through which the failure came.
/// </summary>
public sealed record DependencyState(DependencyStatus Status, IReadOnlyList<string> Ids)
{
    public static DependencyState Ready { get; } = new(DependencyStatus.Ready, []);

    /// <summary>The unknown collocation target, for <see cref="DependencyStatus.UnknownReference"/>.</summary>
    public string? UnknownCollocation { get; init; }

    /// <summary>True for the states that end a function (cycle, failed dependency).</summary>
    public bool FailsFunction => Status is DependencyStatus.Cycle or DependencyStatus.DependencyFailed;

    /// <summary>The reason of this state (<c>Reasons</c>); null when Ready.</summary>
    public string? Reason => Status switch
    {
        DependencyStatus.Waiting => Lifecycle.Reasons.WaitingForDependencies,
        DependencyStatus.UnknownReference => Lifecycle.Reasons.UnknownDependency,
        DependencyStatus.Cycle => Lifecycle.Reasons.DependencyCycle,
        DependencyStatus.DependencyFailed => Lifecycle.Reasons.DependencyFailed,
        _ => null,
    };

    /// <summary>The status message of this state (<c>Messages</c>); null when Ready.</summary>
    public string? Message => Status switch
    {
        DependencyStatus.Waiting => Lifecycle.Messages.WaitingForArgs(Ids),
        DependencyStatus.UnknownReference => Lifecycle.Messages.UnknownReferences(UnknownCollocation is null ? Ids : Ids.Take(Ids.Count - 1).ToList(), UnknownCollocation),
        DependencyStatus.Cycle => Lifecycle.Messages.DependencyCycle(Ids),
        DependencyStatus.DependencyFailed => Lifecycle.Messages.DependencyFailed(Ids[0]),
        _ => null,
    };
}

/// <summary>
/// The one dependency resolution of Handoff, used by the operator, the planner and the CLI: from a
/// <see cref="FunctionGraph"/> and each function's own outcome, whether it is Ready, Waiting, waits on an unknown
/// reference, or can never run (a cycle, a failed dependency — propagated transitively, naming the failed arg).
/// </summary>
public static class DependencyResolver
{
    /// <summary>
    /// Resolves every function, by queue position. <paramref name="outcomes"/> is indexed like the graph. The state of a
    /// function that finished itself is computed too (callers ignore it). A function in a cycle is
    /// <see cref="DependencyStatus.Cycle"/>; the dependents (transitively) of a Failed function or of a cycle member that
    /// did not succeed are <see cref="DependencyStatus.DependencyFailed"/> unless finished themselves.
    /// </summary>
    public static DependencyState[] Resolve(FunctionGraph graph, IReadOnlyList<ArgOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count != graph.Count)
        {
            throw new ArgumentException($"{outcomes.Count} outcomes for {graph.Count} functions", nameof(outcomes));
        }

        var n = graph.Count;
        var states = new DependencyState?[n];
        var failed = new bool[n];
        for (var i = 0; i < n; i++)
        {
            if (graph.IsInCycle(graph.Ids[i]))
            {
                states[i] = new DependencyState(DependencyStatus.Cycle, graph.CycleOf(graph.Ids[i])!);
                failed[i] = outcomes[i] != ArgOutcome.Succeeded;
            }
            else if (outcomes[i] == ArgOutcome.Failed)
            {
                failed[i] = true;
            }
        }

        var swept = new bool[n];
        var reached = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (failed[i])
            {
                PropagateFailure(graph, i, swept, dependent =>
                {
                    // A finished dependent (or a cycle member) stops the sweep: it is its own root if it failed.
                    if (states[dependent] is not null || outcomes[dependent] != ArgOutcome.Unfinished)
                    {
                        return false;
                    }

                    failed[dependent] = true;
                    reached.Add(dependent);
                    return true;
                });
            }
        }

        foreach (var d in reached)
        {
            states[d] = new DependencyState(DependencyStatus.DependencyFailed, [graph.Ids[FirstFailedArg(graph, d, i => failed[i])]]);
        }

        var result = new DependencyState[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = states[i] ?? Open(graph, i, outcomes);
        }

        return result;
    }

    /// <summary>
    /// Resolves every function of <paramref name="functions"/> (ids unique; <paramref name="outcomes"/> indexed alike)
    /// exactly as <see cref="Resolve(FunctionGraph, IReadOnlyList{ArgOutcome})"/> over the graph of them all, but builds
    /// the graph only of the functions that name args or a collocation target and of the functions they name. The others
    /// name nothing and nothing names them: no edge reaches them, so they are Ready whatever the rest is. An operator pass
    /// resolves every function it looks at, most of which (independent work, a DAG's finished part) are such.
    /// </summary>
    public static DependencyState[] ResolveConnected(IReadOnlyList<FunctionDependencies> functions, IReadOnlyList<ArgOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count != functions.Count)
        {
            throw new ArgumentException($"{outcomes.Count} outcomes for {functions.Count} functions", nameof(outcomes));
        }

        return ResolveConnected(functions.Count, i => functions[i].Id, i => functions[i], i => outcomes[i]);
    }

    /// <summary>
    /// <see cref="ResolveConnected(IReadOnlyList{FunctionDependencies}, IReadOnlyList{ArgOutcome})"/> over
    /// <paramref name="count"/> functions read by index: <paramref name="idAt"/> gives each one's id,
    /// <paramref name="namingAt"/> its dependencies when it names args or a collocation target (null when it names
    /// nothing: nothing need be made for it), <paramref name="outcomeAt"/> its outcome, read only for the functions
    /// connected. An operator pass resolves every function it looks at on every pass, and most name nothing.
    /// </summary>
    public static DependencyState[] ResolveConnected(int count, Func<int, string> idAt, Func<int, FunctionDependencies?> namingAt, Func<int, ArgOutcome> outcomeAt)
    {
        ArgumentNullException.ThrowIfNull(idAt);
        ArgumentNullException.ThrowIfNull(namingAt);
        ArgumentNullException.ThrowIfNull(outcomeAt);
        HashSet<string>? named = null;
        FunctionDependencies?[]? naming = null;
        for (var i = 0; i < count; i++)
        {
            if (namingAt(i) is { } f && NamesAny(f))
            {
                (naming ??= new FunctionDependencies?[count])[i] = f;
                named ??= new HashSet<string>(StringComparer.Ordinal);
                named.UnionWith(f.Args);
                if (f.CollocateWith is { } target)
                {
                    named.Add(target);
                }
            }
        }

        var result = new DependencyState[count];
        Array.Fill(result, DependencyState.Ready);
        if (named is null)
        {
            return result;
        }

        var connected = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (naming![i] is not null || named.Contains(idAt(i)))
            {
                connected.Add(i);
            }
        }

        // In queue order, so every list the resolution returns (waiting args, cycle paths) is the whole graph's.
        var states = Resolve(
            new FunctionGraph(connected.Select(i => naming![i] ?? new FunctionDependencies(idAt(i), []))), [.. connected.Select(outcomeAt)]);
        for (var k = 0; k < connected.Count; k++)
        {
            result[connected[k]] = states[k];
        }

        return result;
    }

    private static bool NamesAny(FunctionDependencies f) => f.Args.Count > 0 || f.CollocateWith is not null;

    /// <summary>
    /// Visits the dependents of the function at <paramref name="failed"/> breadth-first, each once;
    /// <paramref name="visit"/> returns whether the failure goes on through that dependent. <paramref name="swept"/>
    /// (indexed like the graph) marks the functions already swept, so that sweeps from several failed functions cost
    /// O(functions + args) in all. This is the only failure propagation of Handoff.
    /// </summary>
    public static void PropagateFailure(FunctionGraph graph, int failed, bool[] swept, Func<int, bool> visit)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(swept);
        ArgumentNullException.ThrowIfNull(visit);
        if (swept[failed])
        {
            return;
        }

        swept[failed] = true;
        var queue = new Queue<int>();
        queue.Enqueue(failed);
        while (queue.TryDequeue(out var v))
        {
            foreach (var d in graph.DependentsOf(v))
            {
                if (!swept[d] && visit(d))
                {
                    swept[d] = true;
                    queue.Enqueue(d);
                }
            }
        }
    }

    /// <summary>
    /// The arg a failed dependency is named by: the first of the function's args, in args order, that failed. Failures
    /// seen together are named the same way whatever order they were found in.
    /// </summary>
    public static int FirstFailedArg(FunctionGraph graph, int index, Func<int, bool> failed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(failed);
        foreach (var arg in graph.KnownArgsOf(index))
        {
            if (failed(arg))
            {
                return arg;
            }
        }

        throw new ArgumentException($"{graph.Ids[index]} has no failed arg", nameof(index));
    }

    private static DependencyState Open(FunctionGraph graph, int i, IReadOnlyList<ArgOutcome> outcomes)
    {
        var id = graph.Ids[i];
        var unknownArgs = graph.UnknownArgs.GetValueOrDefault(id);
        var unknownCollocation = graph.UnknownCollocation.GetValueOrDefault(id);
        if (unknownArgs is not null || unknownCollocation is not null)
        {
            IReadOnlyList<string> ids = unknownCollocation is null ? unknownArgs! : [.. unknownArgs ?? [], unknownCollocation];
            return new DependencyState(DependencyStatus.UnknownReference, ids) { UnknownCollocation = unknownCollocation };
        }

        List<string>? waiting = null;
        foreach (var arg in graph.KnownArgsOf(i))
        {
            if (outcomes[arg] != ArgOutcome.Succeeded)
            {
                (waiting ??= []).Add(graph.Ids[arg]);
            }
        }

        return waiting is null ? DependencyState.Ready : new DependencyState(DependencyStatus.Waiting, waiting);
    }
}
