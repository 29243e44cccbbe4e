using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>A condition as a pass wants it (its lastTransitionTime is settled when it is written).</summary>
public sealed record ConditionReport(string Type, bool Status, string? Reason, string? Message);

/// <summary>An Event a pass wants recorded about a function.</summary>
public sealed record EventReport(string Type, string Reason, string Message);

/// <summary>
/// The status a pass wants a function to have — a value: equal reports mean nothing to write. Built by
/// <see cref="StatusReportStep"/>; made into an API status by <see cref="StatusWriter"/>.
/// </summary>
public sealed record FunctionReport(FunctionPhase Phase)
{
    public string? Node { get; init; }

    public string? PodName { get; init; }

    public int Attempts { get; init; }

    public string? Result { get; init; }

    /// <summary>The reason of the state (also the Scheduled or Completed condition's reason).</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }

    public DateTimeOffset? RetryAfter { get; init; }

    /// <summary>Its position in its HandoffQueue while Pending (1 = next); null otherwise.</summary>
    public int? QueuePosition { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? CompletionTime { get; init; }

    public required ConditionReport DependenciesReady { get; init; }

    public required ConditionReport Scheduled { get; init; }

    public required ConditionReport Completed { get; init; }

    /// <summary>The Event this state deserves once it has lasted beyond the pass that first saw it; null for none.</summary>
    public EventReport? Event { get; init; }
}
