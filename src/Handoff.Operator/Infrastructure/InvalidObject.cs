namespace Handoff.Operator.Infrastructure;

/// <summary>An object an informer could not decode: reported (Event, metric, log) and skipped, never the whole watch.</summary>
public sealed record InvalidObject(string Kind, string? Namespace, string Name, string? Uid, string? ResourceVersion, string Problem)
{
    /// <summary>Its metadata.generation, when it could be read (a spec change makes it a new problem to report).</summary>
    public long? Generation { get; init; }
}
