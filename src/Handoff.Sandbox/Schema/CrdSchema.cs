using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Handoff.Sandbox.Store;
using Json.Schema;

namespace Handoff.Sandbox.Schema;

/// <summary>
/// A CRD version's <c>openAPIV3Schema</c>: converted to JSON Schema 2020-12 and evaluated with JsonSchema.Net;
/// also used for pruning (unknown fields) and defaulting, which JSON Schema does not do.
/// </summary>
internal sealed partial class CrdSchema
{
    private static long _counter;
    private readonly JsonObject _structural;
    private readonly JsonObject _converted;
    private readonly JsonSchema _schema;

    public CrdSchema(JsonObject openApiV3Schema)
    {
        _structural = (JsonObject)openApiV3Schema.DeepClone();
        Jn.Materialize(_structural);
        _converted = Convert(_structural, isRoot: true);
        Jn.Materialize(_converted);
        // The built schema keeps references into the document: it lives as long as the schema.
        var doc = JsonDocument.Parse(_converted.ToJsonString());
        var id = Interlocked.Increment(ref _counter);
        _schema = JsonSchema.Build(doc.RootElement, new BuildOptions { SchemaRegistry = new SchemaRegistry() },
            new Uri($"https://sandbox.handoff.dev/crd-schema/{id.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>The schema as given in the CRD (for the OpenAPI documents).</summary>
    public JsonObject OpenApiSchema => _structural;

    private static JsonObject Convert(JsonObject s, bool isRoot = false)
    {
        var r = new JsonObject();
        var nullable = s["nullable"] is JsonValue n && n.TryGetValue<bool>(out var nb) && nb;
        if (s["x-kubernetes-int-or-string"] is JsonValue ios && ios.TryGetValue<bool>(out var iosb) && iosb)
        {
            var any = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" });
            if (nullable)
            {
                any.Add(new JsonObject { ["type"] = "null" });
            }

            r["anyOf"] = any;
        }
        else if (Jn.GetString(s, "type") is { } type)
        {
            r["type"] = nullable ? new JsonArray(type, "null") : type;
        }

        foreach (var keyword in new[]
        {
            "required", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
            "minProperties", "maxProperties", "uniqueItems", "multipleOf",
        })
        {
            if (s[keyword] is { } value)
            {
                r[keyword] = value.DeepClone();
            }
        }

        if (s["enum"] is JsonArray e)
        {
            var values = (JsonArray)e.DeepClone();
            if (nullable)
            {
                values.Add(null);
            }

            r["enum"] = values;
        }

        if (s["exclusiveMinimum"] is JsonValue exMin && exMin.TryGetValue<bool>(out var exMinB) && exMinB && s["minimum"] is { } min)
        {
            r.Remove("minimum");
            r["exclusiveMinimum"] = min.DeepClone();
        }

        if (s["exclusiveMaximum"] is JsonValue exMax && exMax.TryGetValue<bool>(out var exMaxB) && exMaxB && s["maximum"] is { } max)
        {
            r.Remove("maximum");
            r["exclusiveMaximum"] = max.DeepClone();
        }

        if (s["properties"] is JsonObject props)
        {
            var converted = new JsonObject();
            foreach (var (name, sub) in props)
            {
                if (isRoot && name == "metadata")
                {
                    converted[name] = new JsonObject { ["type"] = "object" };
                    continue;
                }

                if (sub is JsonObject subObj)
                {
                    converted[name] = Convert(subObj);
                }
            }

            r["properties"] = converted;
        }

        if (s["items"] is JsonObject items)
        {
            r["items"] = Convert(items);
        }

        switch (s["additionalProperties"])
        {
            case JsonObject ap:
                r["additionalProperties"] = Convert(ap);
                break;
            case JsonValue apb when apb.TryGetValue<bool>(out var b) && !b:
                r["additionalProperties"] = false;
                break;
        }

        foreach (var combinator in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (s[combinator] is JsonArray list)
            {
                var target = new JsonArray();
                foreach (var item in list.OfType<JsonObject>())
                {
                    target.Add(Convert(item));
                }

                if (r[combinator] is JsonArray existing)
                {
                    r["allOf"] = new JsonArray(new JsonObject { [combinator] = existing.DeepClone() }, new JsonObject { [combinator] = target });
                    r.Remove(combinator == "allOf" ? "none" : combinator);
                }
                else
                {
                    r[combinator] = target;
                }
            }
        }

        if (s["not"] is JsonObject not)
        {
            r["not"] = Convert(not);
        }

        return r;
    }

    /// <summary>Validates <paramref name="obj"/>; returns the field errors as the API server words them.</summary>
    public List<FieldCause> Validate(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        using var doc = JsonDocument.Parse(copy.ToJsonString());
        var results = _schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var causes = new List<FieldCause>();
        CheckRules(copy, _structural, "", causes);
        if (results.IsValid)
        {
            return causes;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var combinators = new HashSet<(string EvalPath, string Keyword, string InstancePath)>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is not { Count: > 0 } errors)
            {
                continue;
            }

            var evalPath = detail.EvaluationPath.ToString();
            var instancePath = detail.InstanceLocation.ToString();

            // Errors under a combinator are summarised once, by the combinator on its parent schema.
            var combinator = new[] { "/anyOf/", "/oneOf/", "/not/" }.Select(c => (c, i: evalPath.IndexOf(c, StringComparison.Ordinal))).Where(x => x.i >= 0).OrderBy(x => x.i).FirstOrDefault();
            if (combinator.c is not null)
            {
                combinators.Add((evalPath[..combinator.i], combinator.c.Trim('/'), instancePath));
                continue;
            }

            foreach (var (keyword, message) in errors)
            {
                foreach (var cause in Describe(keyword, message, evalPath, instancePath, copy))
                {
                    if (seen.Add(cause.Message))
                    {
                        causes.Add(cause);
                    }
                }
            }
        }

        foreach (var (path, keyword, instancePath) in combinators)
        {
            if (keyword == "not" || causes.Any(c => c.Field == FieldPath(instancePath)))
            {
                continue;
            }

            foreach (var cause in Describe(keyword, "", path, instancePath, copy))
            {
                if (seen.Add(cause.Message))
                {
                    causes.Add(cause);
                }
            }
        }

        if (causes.Count == 0)
        {
            causes.Add(FieldCause.Invalid("<root>", "\"object\"", "object does not match the schema"));
        }

        return causes;
    }

    private IEnumerable<FieldCause> Describe(string keyword, string message, string evalPath, string instancePath, JsonObject instance)
    {
        var field = FieldPath(instancePath);
        var schemaNode = ResolveSchema(evalPath);
        var value = ResolvePointer(instance, instancePath);
        var shown = Show(value);
        var name = field.Length == 0 ? "<root>" : field;
        switch (keyword)
        {
            case "required":
                var required = schemaNode?["required"] as JsonArray ?? [];
                foreach (var r in required)
                {
                    var prop = Jn.ScalarText(r);
                    if (value is JsonObject o && !o.ContainsKey(prop))
                    {
                        yield return FieldCause.Required(field.Length == 0 ? prop : field + "." + prop);
                    }
                }

                yield break;
            case "type":
                var expected = schemaNode?["type"] switch
                {
                    JsonArray arr => string.Join(",", arr.Select(Jn.ScalarText).Where(t => t != "null")),
                    var t => Jn.ScalarText(t),
                };
                var actual = TypeName(value);
                yield return new FieldCause("FieldValueTypeInvalid", name, $"{name}: Invalid value: \"{actual}\": {name} in body must be of type {expected}: \"{actual}\"");
                yield break;
            case "anyOf" or "oneOf":
                var types = (schemaNode?[keyword] as JsonArray)?.Select(s => Jn.GetString(s, "type")).Where(t => t is not null and not "null").ToList();
                if (types is { Count: > 0 } && types.Count == (schemaNode?[keyword] as JsonArray)!.Count(s => Jn.GetString(s, "type") is not "null"))
                {
                    var actualType = TypeName(value);
                    yield return new FieldCause("FieldValueTypeInvalid", name, $"{name}: Invalid value: \"{actualType}\": {name} in body must be of type {string.Join(",", types)}: \"{actualType}\"");
                }
                else
                {
                    yield return FieldCause.Invalid(name, shown, $"{name} in body must match {(keyword == "anyOf" ? "at least one" : "exactly one")} schema in {keyword}");
                }

                yield break;
            case "enum":
                var allowed = (schemaNode?["enum"] as JsonArray ?? []).Where(v => v is not null).Select(Show);
                yield return new FieldCause("FieldValueNotSupported", name, $"{name}: Unsupported value: {shown}: supported values: {string.Join(", ", allowed)}");
                yield break;
            case "pattern":
                yield return FieldCause.Invalid(name, shown, $"{name} in body should match '{Jn.ScalarText(schemaNode?["pattern"])}'");
                yield break;
            case "minimum":
                yield return FieldCause.Invalid(name, shown, $"{name} in body should be greater than or equal to {Jn.ScalarText(schemaNode?["minimum"])}");
                yield break;
            case "exclusiveMinimum":
                yield return FieldCause.Invalid(name, shown, $"{name} in body should be greater than {Jn.ScalarText(schemaNode?["exclusiveMinimum"])}");
                yield break;
            case "maximum":
                yield return FieldCause.Invalid(name, shown, $"{name} in body should be less than or equal to {Jn.ScalarText(schemaNode?["maximum"])}");
                yield break;
            case "exclusiveMaximum":
                yield return FieldCause.Invalid(name, shown, $"{name} in body should be less than {Jn.ScalarText(schemaNode?["exclusiveMaximum"])}");
                yield break;
            case "minLength":
                yield return FieldCause.Invalid(name, shown, $"{name} in body should be at least {Jn.ScalarText(schemaNode?["minLength"])} chars long");
                yield break;
            case "maxLength":
                yield return new FieldCause("FieldValueTooLong", name, $"{name}: Too long: may not be more than {Jn.ScalarText(schemaNode?["maxLength"])} bytes");
                yield break;
            case "minItems":
                yield return FieldCause.Invalid(name, (value as JsonArray)?.Count.ToString(CultureInfo.InvariantCulture) ?? shown,
                    $"{name} in body should have at least {Jn.ScalarText(schemaNode?["minItems"])} items");
                yield break;
            case "maxItems":
                yield return new FieldCause("FieldValueTooMany", name, $"{name}: Too many: {(value as JsonArray)?.Count}: must have at most {Jn.ScalarText(schemaNode?["maxItems"])} items");
                yield break;
            case "minProperties":
                yield return FieldCause.Invalid(name, (value as JsonObject)?.Count.ToString(CultureInfo.InvariantCulture) ?? shown,
                    $"{name} in body should have at least {Jn.ScalarText(schemaNode?["minProperties"])} properties");
                yield break;
            case "maxProperties":
                yield return new FieldCause("FieldValueTooMany", name, $"{name}: Too many: {(value as JsonObject)?.Count}: must have at most {Jn.ScalarText(schemaNode?["maxProperties"])} items");
                yield break;
            case "uniqueItems":
                yield return new FieldCause("FieldValueDuplicate", name, $"{name}: Duplicate value: {shown}");
                yield break;
            case "additionalProperties" or "properties" or "items" or "allOf":
                // Summaries of nested failures, which are reported on their own.
                yield break;
            default:
                yield return FieldCause.Invalid(name, shown, message);
                yield break;
        }
    }

    [GeneratedRegex(@"^\s*self\.all\(\s*(\w+)\s*,\s*\1\.matches\('((?:[^'\\]|\\.)*)'\)\s*\)\s*$")]
    private static partial Regex AllMatchesRule();

    /// <summary>
    /// Evaluates the CEL rules (<c>x-kubernetes-validations</c>) the emulator understands: <c>self.all(k, k.matches('re'))</c>
    /// over map keys or list items. Other rules are not evaluated (see docs/sandbox.md).
    /// </summary>
    private static void CheckRules(JsonNode? value, JsonObject schema, string path, List<FieldCause> causes)
    {
        if (value is null)
        {
            return;
        }

        if (schema["x-kubernetes-validations"] is JsonArray rules)
        {
            foreach (var rule in rules.OfType<JsonObject>())
            {
                var match = AllMatchesRule().Match(Jn.GetString(rule, "rule") ?? "");
                if (!match.Success)
                {
                    continue;
                }

                var pattern = match.Groups[2].Value.Replace("\\\\", "\\", StringComparison.Ordinal).Replace("\\'", "'", StringComparison.Ordinal);
                var items = value switch
                {
                    JsonObject o => o.Select(kv => kv.Key),
                    JsonArray a => a.Select(Jn.ScalarText),
                    _ => [],
                };
                if (items.Any(i => !Regex.IsMatch(i, pattern, RegexOptions.None, TimeSpan.FromSeconds(1))))
                {
                    var field = path.Length == 0 ? "<root>" : path;
                    var message = Jn.GetString(rule, "message") ?? $"failed rule: {Jn.GetString(rule, "rule")}";
                    causes.Add(FieldCause.Invalid(field, "\"" + (value is JsonObject ? "object" : "array") + "\"", message));
                }
            }
        }

        switch (value)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    var childSchema = (schema["properties"] as JsonObject)?[key] as JsonObject ?? schema["additionalProperties"] as JsonObject;
                    if (childSchema is not null && !(path.Length == 0 && key == "metadata"))
                    {
                        CheckRules(child, childSchema, path.Length == 0 ? key : path + "." + key, causes);
                    }
                }

                break;
            case JsonArray a when schema["items"] is JsonObject itemSchema:
                for (var i = 0; i < a.Count; i++)
                {
                    CheckRules(a[i], itemSchema, $"{path}[{i}]", causes);
                }

                break;
        }
    }

    /// <summary>The converted schema object at an evaluation path (the subschema that reported the error).</summary>
    private JsonNode? ResolveSchema(string evalPath) => ResolvePointer(_converted, evalPath);

    private static JsonNode? ResolvePointer(JsonNode? root, string pointer)
    {
        if (pointer.Length == 0)
        {
            return root;
        }

        var node = root;
        foreach (var raw in pointer.TrimStart('/').Split('/'))
        {
            var seg = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject o => o[seg],
                JsonArray a when int.TryParse(seg, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        return node;
    }

    /// <summary><c>/spec/containers/0/name</c> → <c>spec.containers[0].name</c>.</summary>
    public static string FieldPath(string pointer)
    {
        if (pointer.Length == 0)
        {
            return "";
        }

        var sb = new System.Text.StringBuilder();
        foreach (var raw in pointer.TrimStart('/').Split('/'))
        {
            var seg = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (seg.Length > 0 && seg.All(char.IsAsciiDigit))
            {
                sb.Append('[').Append(seg).Append(']');
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append(seg);
            }
        }

        return sb.ToString();
    }

    private static string TypeName(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => v.ToJsonString().Contains('.', StringComparison.Ordinal) ? "number" : "integer",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "null",
    };

    private static string Show(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => FieldCause.Quote(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        _ => "\"" + TypeName(value) + "\"",
    };

    /// <summary>Finds (and when <paramref name="remove"/> drops) fields the schema does not declare; returns their paths.</summary>
    public List<string> Prune(JsonObject obj, bool remove)
    {
        var unknown = new List<string>();
        foreach (var (key, value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            PruneNode(obj, key, value, _structural, "", unknown, remove);
        }

        return unknown;
    }

    private static bool PreservesUnknown(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static void PruneNode(JsonObject parent, string key, JsonNode? value, JsonObject parentSchema, string path, List<string> unknown, bool remove)
    {
        var fieldPath = path.Length == 0 ? key : path + "." + key;
        JsonObject? schema = null;
        if (parentSchema["properties"] is JsonObject props && props[key] is JsonObject s)
        {
            schema = s;
        }
        else if (parentSchema["additionalProperties"] is JsonObject ap)
        {
            schema = ap;
        }
        else if (PreservesUnknown(parentSchema) || parentSchema["additionalProperties"] is JsonValue)
        {
            return;
        }

        if (schema is null)
        {
            unknown.Add(fieldPath);
            if (remove)
            {
                parent.Remove(key);
            }

            return;
        }

        PruneValue(value, schema, fieldPath, unknown, remove);
    }

    private static void PruneValue(JsonNode? value, JsonObject schema, string fieldPath, List<string> unknown, bool remove)
    {
        if (schema["x-kubernetes-embedded-resource"] is JsonValue er && er.TryGetValue<bool>(out var erb) && erb)
        {
            return;
        }

        switch (value)
        {
            case JsonObject o when schema["properties"] is JsonObject || schema["additionalProperties"] is JsonObject || !PreservesUnknown(schema):
                if (schema["properties"] is null && schema["additionalProperties"] is null && PreservesUnknown(schema))
                {
                    return;
                }

                if (schema["properties"] is null && schema["additionalProperties"] is null && Jn.GetString(schema, "type") != "object")
                {
                    return;
                }

                foreach (var (k, v) in o.ToList())
                {
                    PruneNode(o, k, v, schema, fieldPath, unknown, remove);
                }

                break;
            case JsonArray a when schema["items"] is JsonObject itemSchema:
                for (var i = 0; i < a.Count; i++)
                {
                    PruneValue(a[i], itemSchema, $"{fieldPath}[{i}]", unknown, remove);
                }

                break;
        }
    }

    /// <summary>Applies <c>default</c> values for absent properties of objects that are present.</summary>
    public void ApplyDefaults(JsonObject obj) => Default(obj, _structural, isRoot: true);

    private static void Default(JsonNode? value, JsonObject schema, bool isRoot = false)
    {
        switch (value)
        {
            case JsonObject o:
                if (schema["properties"] is JsonObject props)
                {
                    foreach (var (name, sub) in props)
                    {
                        if (sub is not JsonObject subSchema || (isRoot && name == "metadata"))
                        {
                            continue;
                        }

                        if (!o.ContainsKey(name) && subSchema["default"] is { } def)
                        {
                            o[name] = def.DeepClone();
                        }

                        if (o[name] is { } child)
                        {
                            Default(child, subSchema);
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject ap)
                {
                    foreach (var (_, child) in o)
                    {
                        Default(child, ap);
                    }
                }

                break;
            case JsonArray a when schema["items"] is JsonObject items:
                foreach (var child in a)
                {
                    Default(child, items);
                }

                break;
        }
    }
}
