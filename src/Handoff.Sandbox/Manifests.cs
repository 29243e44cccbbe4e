using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox;

/// <summary>Multi-document YAML (or JSON) manifests to JSON objects, as kubectl reads them.</summary>
public static class Manifests
{
    /// <summary>
    /// Parses every document with kubectl's YAML rules (Handoff.Api's manifest reader); <c>kind: List</c> documents are
    /// expanded into their items. Throws <see cref="FormatException"/> on bad YAML.
    /// </summary>
    public static IReadOnlyList<JsonObject> ParseYaml(string text)
    {
        IReadOnlyList<JsonNode> documents;
        try
        {
            documents = ManifestReader.ReadDocuments(text, "<input>");
        }
        catch (ManifestException e)
        {
            throw new FormatException(e.Location is { } at ? $"invalid YAML at line {at.Line}: {e.Problem}" : e.Problem, e);
        }

        var result = new List<JsonObject>();
        foreach (var node in documents)
        {
            switch (node)
            {
                case null:
                    continue;
                case JsonObject obj when JsonNodes.GetString(obj, "kind") is { } kind && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items:
                    result.AddRange(items.OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()));
                    break;
                case JsonObject obj:
                    result.Add(obj);
                    break;
                default:
                    throw new FormatException($"a manifest document must be a mapping, got: {node.ToJsonString()}");
            }
        }

        return result;
    }
}
