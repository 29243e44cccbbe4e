namespace Handoff.Operator.Reconciliation;

/// <summary>How the I/O of one placement went (create, then bind).</summary>
public enum PlacementResult
{
    /// <summary>The pod is created and bound.</summary>
    Bound,

    /// <summary>The API server refused the pod (422/400): the template cannot run.</summary>
    InvalidTemplate,

    /// <summary>The function is gone, or the call failed: nothing to report; the next pass decides again.</summary>
    NotDone,
}

/// <summary>The outcome of placing one function, with the API server's message for <see cref="PlacementResult.InvalidTemplate"/>.</summary>
public sealed record PlacementOutcome(PlacementResult Result, string? Message = null);
