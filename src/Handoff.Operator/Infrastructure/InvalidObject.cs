namespace Handoff.Operator.Infrastructure;

/// <summary>An object an informer could not decode: reported (Event, metric, log) and skipped, never the whole watch.</summary>
public sealed record InvalidObject(string Kind, string? Namespace, string Name, string? Uid, string? ResourceVersion, string Problem);
