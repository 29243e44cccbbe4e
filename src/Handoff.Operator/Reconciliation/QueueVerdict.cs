namespace Handoff.Operator.Reconciliation;

/// <summary>What the queueing rules decided about a function outside the cycle: kept out of it, or failed with its gang.</summary>
public sealed record QueueVerdict(Core.Queueing.AdmissionBlock? Blocked, string? GangFailure);
