namespace Handoff.Chaos.Audit;

/// <summary>
/// A leader SIGSTOPped past its lease: its lease identity, the journal's resourceVersion at SIGSTOP and at SIGCONT, and
/// the write requests (other than the lease's) it sent in the 3 s after SIGCONT while another replica held the lease —
/// counted by the API server per user agent, accepted or not (null when it led again within those 3 s), and which they
/// were (<c>1 × patch handofffunctions/status</c>).
/// </summary>
public sealed record PauseEpisode(string Identity, long StoppedAt, long ContinuedAt, long? WriteRequestsAfterContinue = null, string? WriteRequestKinds = null);
