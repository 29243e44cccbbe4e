namespace Handoff.Chaos.Audit;

/// <summary>One thing the auditor caught: what, at which resourceVersion of the journal (0 = the final state), and the evidence.</summary>
public sealed record Violation(ViolationKind Kind, long ResourceVersion, string Message)
{
    public override string ToString() => $"{Kind} at rv {ResourceVersion}: {Message}";
}
