using System.Text.Json.Nodes;

namespace Handoff.Api.Crds;

/// <summary>
/// Checks the rules the Kubernetes API server applies to a CRD's <c>openAPIV3Schema</c> (a "structural schema"):
/// every node has a single <c>type</c> unless it preserves unknown fields; no <c>$ref</c>, <c>definitions</c>,
/// <c>propertyNames</c> or other keywords apiextensions/v1 does not have; no logical junctors (this generator never
/// needs them, so they are refused outright rather than checked against the finer rules); <c>properties</c> and
/// <c>additionalProperties</c> never together; <c>metadata</c> only <c>{type: object}</c> (with at most name and
/// generateName restricted); list-map keys required.
/// </summary>
public static class StructuralSchema
{
    private static readonly HashSet<string> s_allowedKeywords =
    [
        "description", "type", "format", "title", "properties", "required", "items", "additionalProperties",
        "enum", "default", "example", "pattern", "minLength", "maxLength", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "minProperties",
        "maxProperties", "nullable",
        "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations", "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-int-or-string",
        "x-kubernetes-embedded-resource",
    ];

    private static readonly HashSet<string> s_types = ["object", "array", "string", "integer", "number", "boolean"];

    /// <summary>Every violation found, each with its JSON path; empty when the schema is structural.</summary>
    public static IReadOnlyList<string> Check(JsonNode? root)
    {
        var problems = new List<string>();
        if (root is not JsonObject obj)
        {
            problems.Add("$: the root schema must be an object");
            return problems;
        }

        if (obj["type"]?.GetValue<string>() != "object")
        {
            problems.Add("$: the root schema must have type: object");
        }

        CheckNode(obj, "$", problems);
        if (obj["properties"]?["metadata"] is JsonObject metadata && !IsAllowedMetadata(metadata))
        {
            problems.Add("$.properties.metadata: must be {type: object}, with at most name and generateName restricted; the API server validates metadata");
        }

        return problems;
    }

    /// <summary>The root's metadata: <c>{type: object}</c>, optionally with value validations of name and generateName only.</summary>
    private static bool IsAllowedMetadata(JsonObject metadata) =>
        metadata["type"]?.GetValue<string>() == "object"
        && metadata.All(kv => kv.Key is "type" || (kv.Key == "properties" && kv.Value is JsonObject properties
            && properties.All(p => p.Key is "name" or "generateName" && p.Value is JsonObject v
                && v.All(k => k.Key is "type" or "pattern" or "maxLength" or "minLength") && v["type"]?.GetValue<string>() == "string")));

    private static void CheckNode(JsonNode? node, string path, List<string> problems)
    {
        if (node is not JsonObject obj)
        {
            problems.Add($"{path}: a schema must be an object, not {node?.ToJsonString() ?? "null"}");
            return;
        }

        foreach (var (key, _) in obj)
        {
            if (!s_allowedKeywords.Contains(key))
            {
                problems.Add($"{path}: keyword '{key}' is not allowed in a structural schema");
            }
        }

        var preserve = obj["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.TryGetValue<bool>(out var b) && b;
        var intOrString = obj["x-kubernetes-int-or-string"] is JsonValue q && q.TryGetValue<bool>(out var c) && c;
        string? type = null;
        switch (obj["type"])
        {
            case null when preserve || intOrString:
                break;
            case null:
                problems.Add($"{path}: no type (and not x-kubernetes-preserve-unknown-fields)");
                break;
            case JsonValue v when v.TryGetValue<string>(out var t) && s_types.Contains(t):
                type = t;
                break;
            default:
                problems.Add($"{path}: type must be one of {string.Join(", ", s_types)}, not {obj["type"]!.ToJsonString()}");
                break;
        }

        if (obj.ContainsKey("properties") && obj.ContainsKey("additionalProperties"))
        {
            problems.Add($"{path}: properties and additionalProperties are mutually exclusive");
        }

        if (obj["properties"] is JsonObject properties)
        {
            if (type != "object")
            {
                problems.Add($"{path}: properties on a non-object");
            }

            foreach (var (name, child) in properties)
            {
                CheckNode(child, $"{path}.properties.{name}", problems);
            }

            if (obj["required"] is JsonArray required)
            {
                foreach (var name in required.Select(r => r?.GetValue<string>()))
                {
                    if (name is null || !properties.ContainsKey(name))
                    {
                        problems.Add($"{path}: required property '{name}' is not declared");
                    }
                }
            }
        }
        else if (obj.ContainsKey("properties"))
        {
            problems.Add($"{path}: properties must be an object");
        }

        switch (obj["additionalProperties"])
        {
            case null:
                break;
            case JsonObject values:
                if (type != "object")
                {
                    problems.Add($"{path}: additionalProperties on a non-object");
                }

                CheckNode(values, path + ".additionalProperties", problems);
                break;
            default:
                problems.Add($"{path}: additionalProperties must be a schema (a boolean is not used by Handoff)");
                break;
        }

        if (type == "array")
        {
            if (obj["items"] is null)
            {
                problems.Add($"{path}: an array needs items");
            }
            else
            {
                CheckNode(obj["items"], path + ".items", problems);
            }

            if (obj["x-kubernetes-list-type"]?.GetValue<string>() == "map")
            {
                var itemRequired = (obj["items"]?["required"] as JsonArray)?.Select(r => r?.GetValue<string>()).ToHashSet() ?? [];
                foreach (var key in (obj["x-kubernetes-list-map-keys"] as JsonArray ?? []).Select(k => k?.GetValue<string>()))
                {
                    if (key is null || !itemRequired.Contains(key))
                    {
                        problems.Add($"{path}: list-map key '{key}' must be a required property of the items");
                    }
                }
            }
        }
        else if (obj.ContainsKey("items"))
        {
            problems.Add($"{path}: items on a non-array");
        }

        if (obj["x-kubernetes-validations"] is JsonArray rules)
        {
            foreach (var rule in rules)
            {
                if (rule?["rule"] is not JsonValue)
                {
                    problems.Add($"{path}: every x-kubernetes-validations entry needs a rule");
                }
            }
        }
    }
}
