using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Handoff.Sandbox;

/// <summary>Multi-document YAML (or JSON) manifests to JSON objects, as kubectl reads them.</summary>
public static class Manifests
{
    /// <summary>Parses every document; <c>kind: List</c> documents are expanded into their items. Throws <see cref="FormatException"/> on bad YAML.</summary>
    public static IReadOnlyList<JsonObject> ParseYaml(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FormatException($"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        var result = new List<JsonObject>();
        foreach (var doc in stream.Documents)
        {
            var node = Convert(doc.RootNode);
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

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return value;
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }

        if (value.Length > 0 && (char.IsAsciiDigit(value[0]) || value[0] is '-' or '.') &&
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d))
        {
            return d;
        }

        return value;
    }
}
