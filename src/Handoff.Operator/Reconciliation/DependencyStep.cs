using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 5 of a pass (pure): the functions' DAG → each one's dependency state (Core's one resolution, over the functions
/// connected by args or collocation: the rest are Ready).
/// </summary>
public static class DependencyStep
{
    /// <summary>Dependency states indexed like <paramref name="functions"/>.</summary>
    public static DependencyState[] Resolve(IReadOnlyList<FunctionView> functions)
    {
        var named = functions.Select(f => new FunctionDependencies(f.Key, f.Mapped?.Args ?? ArgsOf(f))
        {
            CollocateWith = f.Mapped?.Placement.CollocateWith,
        }).ToArray();
        var outcomes = functions.Select(f => f.State switch
        {
            Succeeded => ArgOutcome.Succeeded,
            // A failure read from a pod not seen waits, as its status write does, for the API server to confirm it.
            Failed when f.UnseenRecordedPod is not null => ArgOutcome.Unfinished,
            Failed => ArgOutcome.Failed,
            _ when f.SpecProblem is not null => ArgOutcome.Failed,
            _ => ArgOutcome.Unfinished,
        }).ToArray();
        return DependencyResolver.ResolveConnected(named, outcomes);
    }

    // A function whose spec cannot be mapped still names its args (they may be valid): keep its edges in the graph.
    private static IReadOnlyList<string> ArgsOf(FunctionView f) =>
        [.. (f.Object.Spec?.Args ?? []).Select(a => Core.ObjectKeys.Of(f.Namespace, a))];
}
