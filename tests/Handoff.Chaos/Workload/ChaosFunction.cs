namespace Handoff.Chaos.Workload;

/// <summary>One HandoffFunction of a chaos workload: its spec, its code's behaviour and when the driver creates it.</summary>
public sealed record ChaosFunction
{
    public required string Name { get; init; }

    /// <summary>Functions (earlier in the workload) whose results are handed to this one, in order.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary><c>spec.cost</c>: resource name → quantity.</summary>
    public required IReadOnlyDictionary<string, string> Cost { get; init; }

    public string Strategy { get; init; } = "FirstAvailable";

    public int MaxRetries { get; init; }

    public FunctionBehaviour Behaviour { get; init; }

    /// <summary>The exit code of a failing attempt (1–125).</summary>
    public int ExitCode { get; init; } = 1;

    /// <summary>For <see cref="FunctionBehaviour.Flaky"/>: how many attempts fail before one succeeds.</summary>
    public int FailingAttempts { get; init; }

    /// <summary>The termination message of a successful attempt: the result handed to dependents.</summary>
    public required string Result { get; init; }

    /// <summary>How long each attempt runs (the sandbox kubelet's <c>handoff.dev/sandbox-duration</c>).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>When the driver creates it, from the start of the run.</summary>
    public TimeSpan Arrival { get; init; }
}
