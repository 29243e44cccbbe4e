namespace Handoff.Chaos.Workload;

/// <summary>What a function's code does, attempt after attempt.</summary>
public enum FunctionBehaviour
{
    /// <summary>Every attempt exits 0 with the function's result.</summary>
    Succeeds,

    /// <summary>Every attempt exits with <see cref="ChaosFunction.ExitCode"/>: retried until <c>maxRetries</c> is used up.</summary>
    Fails,

    /// <summary>The first <see cref="ChaosFunction.FailingAttempts"/> attempts fail, the next succeeds (a flaky dependency).</summary>
    Flaky,
}
