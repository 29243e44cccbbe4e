using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>A committed version of an object. Never mutated after it is stored.</summary>
internal sealed class StoredObject
{
    public StoredObject(JsonObject node, byte[] json, long resourceVersion, string key)
    {
        Node = node;
        Json = json;
        ResourceVersion = resourceVersion;
        Key = key;
    }

    /// <summary>The object; read-only by convention (fully materialized, safe for concurrent readers).</summary>
    public JsonObject Node { get; }

    /// <summary>The object as UTF-8 JSON, ready to be written to responses.</summary>
    public byte[] Json { get; }

    public long ResourceVersion { get; }

    public string Key { get; }

    public string Name => JsonNodes.ScalarText(JsonNodes.At(Node, "metadata", "name"));

    public string Namespace => JsonNodes.ScalarText(JsonNodes.At(Node, "metadata", "namespace"));

    public string Uid => JsonNodes.ScalarText(JsonNodes.At(Node, "metadata", "uid"));

    /// <summary>A fresh mutable copy.</summary>
    public JsonObject CloneNode() => JsonNodes.ParseObject(Json);
}
