using System.Text.Json.Nodes;

namespace Handoff.Api.Crds.Validation;

/// <summary>Unknown fields (pruning, or the strict field validation error) and defaulting, as the API server does them before validating.</summary>
public sealed partial class StructuralValidator
{
    /// <summary>
    /// Finds the fields the schema does not declare (outside <c>x-kubernetes-preserve-unknown-fields</c>) and, when
    /// <paramref name="remove"/> is set, drops them; returns their paths (<c>spec.bogus</c>). apiVersion, kind and
    /// metadata are the API server's own.
    /// </summary>
    public IReadOnlyList<string> Prune(JsonObject obj, bool remove)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var unknown = new List<string>();
        foreach (var (key, value) in obj.ToList())
        {
            if (key is not ("apiVersion" or "kind" or "metadata"))
            {
                PruneField(obj, key, value, OpenApiSchema, "", unknown, remove);
            }
        }

        return unknown;
    }

    private static void PruneField(JsonObject parent, string key, JsonNode? value, JsonObject parentSchema, string path, List<string> unknown, bool remove)
    {
        var fieldPath = Child(path, key);
        var schema = (parentSchema["properties"] as JsonObject)?[key] as JsonObject ?? parentSchema["additionalProperties"] as JsonObject;
        if (schema is null)
        {
            if (IsTrue(parentSchema, "x-kubernetes-preserve-unknown-fields") || parentSchema["additionalProperties"] is JsonValue)
            {
                return;
            }

            unknown.Add(fieldPath);
            if (remove)
            {
                parent.Remove(key);
            }

            return;
        }

        PruneValue(value, schema, fieldPath, unknown, remove);
    }

    private static void PruneValue(JsonNode? value, JsonObject schema, string path, List<string> unknown, bool remove)
    {
        if (IsTrue(schema, "x-kubernetes-embedded-resource"))
        {
            return;
        }

        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject || schema["additionalProperties"] is JsonObject
                || (!IsTrue(schema, "x-kubernetes-preserve-unknown-fields") && (string?)schema["type"] == "object"):
                foreach (var (key, child) in obj.ToList())
                {
                    PruneField(obj, key, child, schema, path, unknown, remove);
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneValue(array[i], items, $"{path}[{i}]", unknown, remove);
                }

                break;
        }
    }

    /// <summary>
    /// Drops <c>null</c>s of non-nullable fields that have no default, then applies <c>default</c>s to absent (or null)
    /// properties of the objects present — the API server's order before validation.
    /// </summary>
    public void ApplyDefaults(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        PruneNulls(obj, OpenApiSchema);
        Default(obj, OpenApiSchema, isRoot: true);
    }

    private static void PruneNulls(JsonNode? value, JsonObject schema)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    var childSchema = (schema["properties"] as JsonObject)?[key] as JsonObject ?? schema["additionalProperties"] as JsonObject;
                    if (childSchema is null)
                    {
                        continue;
                    }

                    if (child is null && childSchema["default"] is null && !IsTrue(childSchema, "nullable"))
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        PruneNulls(child, childSchema);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var child in array)
                {
                    PruneNulls(child, items);
                }

                break;
        }
    }

    private static void Default(JsonNode? value, JsonObject schema, bool isRoot = false)
    {
        switch (value)
        {
            case JsonObject obj:
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, child) in properties)
                    {
                        if (child is not JsonObject childSchema || (isRoot && name == "metadata"))
                        {
                            continue;
                        }

                        if (childSchema["default"] is { } defaultValue && (!obj.TryGetPropertyValue(name, out var present) || (present is null && !IsTrue(childSchema, "nullable"))))
                        {
                            obj[name] = defaultValue.DeepClone();
                        }

                        if (obj[name] is { } nested)
                        {
                            Default(nested, childSchema);
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject values)
                {
                    foreach (var (_, child) in obj)
                    {
                        Default(child, values);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var child in array)
                {
                    Default(child, items);
                }

                break;
        }
    }
}
