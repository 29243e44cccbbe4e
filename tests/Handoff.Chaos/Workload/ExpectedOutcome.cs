namespace Handoff.Chaos.Workload;

/// <summary>
/// How a function must end, whatever the faults: the phase, the reason of its <c>Completed</c> condition, how many
/// attempts (pods) it took and its result.
/// </summary>
public sealed record ExpectedOutcome(string Phase, string Reason, int Attempts, string? Result)
{
    public bool Succeeds => Phase == "Succeeded";

    /// <summary>
    /// The outcomes the functions' code and dependencies dictate: a function with a failed arg (transitively) fails
    /// with <c>DependencyFailed</c> without running; otherwise it succeeds on its first attempt, or fails every attempt
    /// until <c>maxRetries</c> is used up (<c>RetriesExhausted</c> after maxRetries + 1 pods), or — flaky — succeeds on
    /// attempt k + 1 if that is allowed.
    /// </summary>
    public static IReadOnlyDictionary<string, ExpectedOutcome> For(ChaosWorkload workload)
    {
        var outcomes = new Dictionary<string, ExpectedOutcome>(StringComparer.Ordinal);
        foreach (var f in workload.Functions)
        {
            // Args always come earlier in the workload (it is generated in topological order).
            outcomes[f.Name] = f.Args.Any(a => !outcomes[a].Succeeds)
                ? new ExpectedOutcome("Failed", "DependencyFailed", 0, null)
                : Own(f);
        }

        return outcomes;
    }

    private static ExpectedOutcome Own(ChaosFunction f) => f.Behaviour switch
    {
        FunctionBehaviour.Succeeds => new("Succeeded", "Succeeded", 1, f.Result),
        FunctionBehaviour.Flaky when f.FailingAttempts <= f.MaxRetries => new("Succeeded", "Succeeded", f.FailingAttempts + 1, f.Result),
        _ => new("Failed", "RetriesExhausted", f.MaxRetries + 1, null),
    };
}
