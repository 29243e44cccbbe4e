namespace Handoff.Api.Manifests;

/// <summary>Where a manifest object (or one of its fields) was read: a file (or <c>&lt;stdin&gt;</c>) and a 1-based line.</summary>
public readonly record struct ManifestLocation(string Source, int Line)
{
    /// <summary><c>examples/dag/dag.yaml:12</c>.</summary>
    public override string ToString() => $"{Source}:{Line}";
}
