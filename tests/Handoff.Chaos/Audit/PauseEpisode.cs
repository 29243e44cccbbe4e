namespace Handoff.Chaos.Audit;

/// <summary>A leader SIGSTOPped past its lease: its lease identity and the journal's resourceVersion at SIGSTOP and at SIGCONT.</summary>
public sealed record PauseEpisode(string Identity, long StoppedAt, long ContinuedAt);
