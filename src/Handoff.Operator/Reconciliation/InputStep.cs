using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 5b of a pass (pure): what each function that may be placed now is handed — the results of its args, then its
/// extraArgs (<see cref="FunctionInputs"/>) — checked against Core's <see cref="InputLimits"/>. A function over them
/// gets <see cref="FunctionView.InputProblem"/>: it is not offered to the cycle (no capacity is taken, no pod created)
/// and its status says Failed, reason <c>InputTooLarge</c>.
/// </summary>
public static class InputStep
{
    /// <summary>The views with <see cref="FunctionView.InputProblem"/> set where the limits are exceeded, and the inputs of the others by key.</summary>
    public static (IReadOnlyList<FunctionView> Views, IReadOnlyDictionary<string, FunctionInputs> Inputs) Check(
        IReadOnlyList<FunctionView> views, DependencyState[] dependencies)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(dependencies);
        // The functions by key only once args are to be looked up: a pass over 15,000 functions with none to start that
        // names args made the index (1 ms) for nothing.
        var byKey = new Lazy<Dictionary<string, FunctionView>>(() => views.ToDictionary(f => f.Key, StringComparer.Ordinal));
        var inputs = new Dictionary<string, FunctionInputs>(StringComparer.Ordinal);
        List<FunctionView>? changed = null;
        for (var i = 0; i < views.Count; i++)
        {
            var f = views[i];
            if (f.State is not NotStarted || f.Mapped is not { } mapped || dependencies[i].Status != DependencyStatus.Ready)
            {
                continue;
            }

            var results = mapped.Args.Select(a => byKey.Value.GetValueOrDefault(a)?.State is Succeeded s ? s.Result : null).ToList();
            var assembled = FunctionInputs.Assemble(results, mapped.ExtraArgs);
            if (assembled.Check(f.Name, Math.Max(1, mapped.PodResources.Containers.Count)) is { } problem)
            {
                changed ??= [.. views];
                changed[i] = f with { InputProblem = problem };
                continue;
            }

            inputs[f.Key] = assembled;
        }

        return (changed ?? views, inputs);
    }
}
