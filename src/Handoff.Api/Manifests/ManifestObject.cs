using System.Text.Json.Nodes;

namespace Handoff.Api.Manifests;

/// <summary>
/// One Kubernetes object read from a manifest, as kubectl would send it: its JSON (YAML already converted with
/// kubectl's typing), where it was written, and the line of each of its fields.
/// </summary>
public sealed class ManifestObject
{
    internal ManifestObject(string source, JsonObject json, FieldLines lines)
    {
        Source = source;
        Json = json;
        Lines = lines;
        ApiVersion = (string)json["apiVersion"]!;
        Kind = (string)json["kind"]!;
        Name = json["metadata"]?["name"] is JsonValue name && name.TryGetValue<string>(out var n) ? n : null;
        Namespace = json["metadata"]?["namespace"] is JsonValue ns && ns.TryGetValue<string>(out var s) ? s : null;
    }

    /// <summary>The file it was read from, or <c>&lt;stdin&gt;</c>.</summary>
    public string Source { get; }

    /// <summary>Where the object starts.</summary>
    public ManifestLocation Location => new(Source, Lines.Object);

    /// <summary>The object as JSON (a <c>List</c>'s item on its own, with the list's apiVersion and kind filled in where it had none).</summary>
    public JsonObject Json { get; }

    /// <summary>The line of each field, for messages.</summary>
    public FieldLines Lines { get; }

    public string ApiVersion { get; }

    public string Kind { get; }

    /// <summary><c>metadata.name</c>, when it is a string.</summary>
    public string? Name { get; }

    /// <summary><c>metadata.namespace</c>, when it is a string.</summary>
    public string? Namespace { get; }

    /// <summary>Where a field was written (the object's line when the field is not there).</summary>
    public ManifestLocation LocationOf(string fieldPath) => new(Source, Lines.Of(fieldPath));

    /// <summary>
    /// <c>HandoffFunction default/transform</c>, <c>HandoffNode gpu-1</c>: a namespaced kind without a namespace is in
    /// <see cref="ManifestKinds.DefaultNamespace"/>.
    /// </summary>
    public string Describe()
    {
        var ns = string.IsNullOrEmpty(Namespace) && ManifestKinds.Find(ApiVersion, Kind) is { Namespaced: true }
            ? ManifestKinds.DefaultNamespace
            : Namespace;
        return $"{Kind} {(string.IsNullOrEmpty(ns) ? "" : ns + "/")}{(string.IsNullOrEmpty(Name) ? "<unnamed>" : Name)}";
    }

    public override string ToString() => $"{Location}: {Describe()}";
}
