namespace Handoff.Core.Lifecycle;

/// <summary>
/// Where a function is in its life: the one vocabulary of the operator's <c>status.phase</c>, the planner's outcome
/// and the CLI's views. The names are the API's phase strings.
/// </summary>
public enum FunctionPhase
{
    /// <summary>Some <c>args</c> have not Succeeded (or name no function).</summary>
    Waiting,

    /// <summary>Ready, but not placed: no node fits now, a quota or gang holds it, or a retry's back-off runs.</summary>
    Pending,

    /// <summary>Its pod is created and bound; capacity is held.</summary>
    Scheduled,

    /// <summary>Its pod runs.</summary>
    Running,

    /// <summary>Terminal: an attempt succeeded; <c>result</c> holds its termination message.</summary>
    Succeeded,

    /// <summary>Terminal: retries exhausted, a dependency failed or is in a cycle, or the spec cannot be run.</summary>
    Failed,
}

/// <summary>Phase names and tests, shared by every layer.</summary>
public static class FunctionPhases
{
    public const string Waiting = nameof(FunctionPhase.Waiting);
    public const string Pending = nameof(FunctionPhase.Pending);
    public const string Scheduled = nameof(FunctionPhase.Scheduled);
    public const string Running = nameof(FunctionPhase.Running);
    public const string Succeeded = nameof(FunctionPhase.Succeeded);
    public const string Failed = nameof(FunctionPhase.Failed);

    /// <summary>Every phase, in life order.</summary>
    public static IReadOnlyList<FunctionPhase> All { get; } = Enum.GetValues<FunctionPhase>();

    /// <summary>The phase names as the API writes them, in life order.</summary>
    public static IReadOnlyList<string> Names { get; } = [Waiting, Pending, Scheduled, Running, Succeeded, Failed];

    public static bool IsTerminal(this FunctionPhase phase) => phase is FunctionPhase.Succeeded or FunctionPhase.Failed;

    /// <summary>Whether the phase name is Succeeded or Failed.</summary>
    public static bool IsTerminal(string? phase) => phase is Succeeded or Failed;

    /// <summary>Parses a phase name exactly as the API writes it (case-sensitive); null for anything else.</summary>
    public static FunctionPhase? Parse(string? phase) => phase switch
    {
        Waiting => FunctionPhase.Waiting,
        Pending => FunctionPhase.Pending,
        Scheduled => FunctionPhase.Scheduled,
        Running => FunctionPhase.Running,
        Succeeded => FunctionPhase.Succeeded,
        Failed => FunctionPhase.Failed,
        _ => null,
    };

    /// <summary>The API name of <paramref name="phase"/>, without allocating.</summary>
    public static string Name(this FunctionPhase phase) => Names[(int)phase];
}
