using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 5 of a pass (pure): the functions' DAG → each one's dependency state (Core's one resolution, over the functions
/// connected by args or collocation: the rest are Ready).
/// </summary>
public static class DependencyStep
{
    /// <summary>
    /// Dependency states indexed like <paramref name="functions"/>. Only the functions that name args or a collocation
    /// target are made into Core's terms, and only the connected ones' outcomes are read.
    /// </summary>
    public static DependencyState[] Resolve(IReadOnlyList<FunctionView> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        return DependencyResolver.ResolveConnected(functions.Count, i => functions[i].Key, i => Naming(functions[i]), i => OutcomeOf(functions[i]));
    }

    private static FunctionDependencies? Naming(FunctionView f)
    {
        if (f.Mapped is { } mapped)
        {
            return mapped.Args.Count == 0 && mapped.Placement.CollocateWith is null
                ? null
                : new FunctionDependencies(f.Key, mapped.Args) { CollocateWith = mapped.Placement.CollocateWith };
        }

        return f.Object.Spec?.Args is { Count: > 0 } ? new FunctionDependencies(f.Key, ArgsOf(f)) : null;
    }

    private static ArgOutcome OutcomeOf(FunctionView f) => f.State switch
    {
        Succeeded => ArgOutcome.Succeeded,
        // A failure read from a pod not seen waits, as its status write does, for the API server to confirm it.
        Failed when f.UnseenRecordedPod is not null => ArgOutcome.Unfinished,
        Failed => ArgOutcome.Failed,
        _ when f.SpecProblem is not null => ArgOutcome.Failed,
        _ => ArgOutcome.Unfinished,
    };

    // A function whose spec cannot be mapped still names its args (they may be valid): keep its edges in the graph.
    private static IReadOnlyList<string> ArgsOf(FunctionView f) =>
        [.. (f.Object.Spec?.Args ?? []).Select(a => Core.ObjectKeys.Of(f.Namespace, a))];
}
