using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Handoff.Api.Crds;
using Handoff.Api.Tests.Crds;
using k8s;

namespace Handoff.Api.Tests.Docs;

/// <summary>
/// Writes docs/api.md, the API reference of Handoff's kinds: for every field of the CRD schemas (generated from the C#
/// types) its type, default and validation from the schema and its meaning from the C# doc comment. One code path
/// writes the file (<c>HANDOFF_UPDATE_CRDS=1</c>) and checks that it is current.
/// </summary>
internal static class ApiReference
{
    /// <summary>The fields of one kind, in document order, for the completeness check.</summary>
    public static IEnumerable<string> FieldPaths(Type resourceType) =>
        Fields(CrdGenerator.GenerateSchema(resourceType), resourceType).Select(f => f.Path);

    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("""
            # API reference (handoff.dev/v1alpha1)

            <!-- Generated from the C# types in src/Handoff.Api/V1Alpha1 (their doc comments and CRD attributes) by
                 tests/Handoff.Api.Tests/Docs/ApiReference.cs. Do not edit: regenerate with
                 `HANDOFF_UPDATE_CRDS=1 dotnet test tests/Handoff.Api.Tests` (see crds.md). -->

            Every field of Handoff's custom resources, as the CRDs in `crds/` define them: the type, the default the
            API server applies, what the schema enforces, and what the field means. The contract behind them is
            described in [architecture.md](architecture.md) and [crds.md](crds.md); quantities and resource names in
            [resources.md](resources.md).

            Notation: `a.b` is field `b` of object `a`; `a[]` is an item of list `a`; `a{}` is a value of map `a`.
            Quantities are Kubernetes quantities (`2`, `500m`, `16Gi`, `1e3`), written as an integer or a string, as in
            a pod's `resources`. A *resource name* is an optional DNS-subdomain prefix and `/`, then up to 63 letters,
            digits, `-`, `_` or `.`, starting and ending with a letter or digit.


            """);
        sb.Append("Kinds: ");
        sb.AppendJoin(", ", CrdGenerator.ResourceTypes.Select(t => $"[{Kind(t)}](#{Kind(t).ToLowerInvariant()})"));
        sb.Append(".\n");
        foreach (var type in CrdGenerator.ResourceTypes)
        {
            RenderKind(sb, type);
        }

        return sb.ToString();
    }

    private static void RenderKind(StringBuilder sb, Type type)
    {
        var crd = CrdGenerator.Generate(type);
        var schema = CrdGenerator.GenerateSchema(type);
        var names = crd.Spec.Names;
        sb.Append(CultureInfo.InvariantCulture, $"\n## {names.Kind}\n\n");
        sb.Append(XmlDocs.SummaryMarkdown(type)).Append("\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- apiVersion: `{crd.Spec.Group}/{crd.Spec.Versions[0].Name}`, kind `{names.Kind}` ({(crd.Spec.Scope == "Cluster" ? "cluster-scoped" : "namespaced")})\n");
        sb.Append(CultureInfo.InvariantCulture, $"- resource `{names.Plural}`, short name{(names.ShortNames.Count == 1 ? "" : "s")} `{string.Join("`, `", names.ShortNames)}`, category `{string.Join("`, `", names.Categories)}`; `status` is a subresource\n");
        var columns = crd.Spec.Versions[0].AdditionalPrinterColumns;
        sb.Append("- `kubectl get` columns: ");
        sb.AppendJoin(", ", columns.Select(c => $"{c.Name.ToUpperInvariant()} (`{c.JsonPath}`{(c.Priority > 0 ? ", `-o wide`" : "")})"));
        sb.Append('\n');
        foreach (var rule in schema["x-kubernetes-validations"] as JsonArray ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"- `{((string?)rule!["fieldPath"])?.TrimStart('.') ?? "the object"}`: {Rule(rule)}\n");
        }

        foreach (var part in new[] { "spec", "status" })
        {
            var clr = type.GetProperties().Single(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name == part);
            sb.Append(CultureInfo.InvariantCulture, $"\n### {names.Kind} {part}\n\n");
            sb.Append(XmlDocs.SummaryMarkdown(clr)).Append('\n');
            foreach (var rule in schema["properties"]![part]!["x-kubernetes-validations"] as JsonArray ?? [])
            {
                sb.Append(CultureInfo.InvariantCulture, $"Rule: {Rule(rule)}.\n");
            }

            sb.Append("\n| Field | Type | Default | Validation | Meaning |\n| --- | --- | --- | --- | --- |\n");
            foreach (var field in Fields(schema, type).Where(f => f.Path.StartsWith(part + ".", StringComparison.Ordinal)))
            {
                sb.Append(CultureInfo.InvariantCulture, $"| `{field.Path}` | {Cell(field.Type)} | {Cell(field.Default)} | {Cell(field.Validation)} | {Cell(field.Meaning)} |\n");
            }
        }
    }

    private sealed record Field(string Path, string Type, string Default, string Validation, string Meaning);

    private static IEnumerable<Field> Fields(JsonObject root, Type resourceType)
    {
        foreach (var part in new[] { "spec", "status" })
        {
            var property = resourceType.GetProperties().Single(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name == part);
            foreach (var field in Children((JsonObject)root["properties"]![part]!, property.PropertyType, part))
            {
                yield return field;
            }
        }
    }

    /// <summary>The fields under an object (or the items/values of a list/map), depth first.</summary>
    private static IEnumerable<Field> Children(JsonObject schema, Type? clr, string path)
    {
        var required = (schema["required"] as JsonArray ?? []).Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
        {
            var node = (JsonObject)child!;
            var property = clr?.GetProperties().SingleOrDefault(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name == name);
            var meaning = (property is null ? null : XmlDocs.SummaryMarkdown(property)) ?? (string?)node["description"] ?? "";
            var fieldPath = $"{path}.{name}";
            yield return new Field(fieldPath, TypeOf(node), DefaultOf(node), Validation(node, required.Contains(name)), meaning);
            foreach (var nested in Nested(node, property?.PropertyType, fieldPath))
            {
                yield return nested;
            }
        }
    }

    private static IEnumerable<Field> Nested(JsonObject node, Type? clr, string path)
    {
        if (node["properties"] is JsonObject)
        {
            return Children(node, Unwrap(clr), path);
        }

        if (node["items"] is JsonObject items && items["properties"] is JsonObject)
        {
            return Children(items, Unwrap(clr), path + "[]");
        }

        if (node["additionalProperties"] is JsonObject values && values["properties"] is JsonObject)
        {
            return Children(values, Unwrap(clr), path + "{}");
        }

        return [];
    }

    /// <summary><c>int?</c> → int, <c>IList&lt;T&gt;</c> → T, <c>IDictionary&lt;K, V&gt;</c> → V; KubernetesClient models are not walked.</summary>
    private static Type? Unwrap(Type? type)
    {
        if (type is null || type.Namespace?.StartsWith("k8s", StringComparison.Ordinal) == true)
        {
            return null;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsGenericType ? type.GetGenericArguments()[^1] : type;
    }

    private static string TypeOf(JsonObject node)
    {
        if (node["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            return "quantity";
        }

        var type = (string?)node["type"] ?? "object";
        return type switch
        {
            "integer" => $"integer ({(string?)node["format"] ?? "int64"})",
            "string" when (string?)node["format"] == "date-time" => "string (date-time)",
            "array" => $"list of {TypeOf((JsonObject)node["items"]!)}",
            "object" when node["additionalProperties"] is JsonObject values && values["x-kubernetes-int-or-string"]?.GetValue<bool>() == true => "map: resource name → quantity",
            "object" when node["additionalProperties"] is JsonObject values => $"map of {TypeOf(values)}",
            "object" when node["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true && node["properties"] is null => "object (kept as written)",
            _ => type,
        };
    }

    private static string DefaultOf(JsonObject node) => node["default"] is { } value ? $"`{value.ToJsonString().Trim('"')}`" : "";

    private static string Validation(JsonObject node, bool required)
    {
        var parts = new List<string>();
        if (required)
        {
            parts.Add("required");
        }

        if (node["enum"] is JsonArray values)
        {
            parts.Add("one of " + string.Join(", ", values.Select(v => $"`{(string?)v}`")));
        }

        Describe(node, parts, "");
        if (node["items"] is JsonObject items)
        {
            Describe(items, parts, "each item: ");
        }

        if (node["additionalProperties"] is JsonObject map)
        {
            Describe(map, parts, "each value: ");
        }

        if (node["x-kubernetes-list-type"] is JsonValue listType && (string?)listType == "map")
        {
            parts.Add($"a list map keyed by `{string.Join("`, `", (node["x-kubernetes-list-map-keys"] as JsonArray ?? []).Select(k => (string?)k))}`");
        }

        foreach (var rule in node["x-kubernetes-validations"] as JsonArray ?? [])
        {
            parts.Add(CelKeyRule.TryParse((string)rule!["rule"]!, out var pattern) && pattern == CrdPatterns.ResourceName ? "keys are resource names" : Rule(rule));
        }

        if (node["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true && node["properties"] is not null)
        {
            parts.Add("other fields are kept as written");
        }

        return string.Join("; ", parts);
    }

    private static void Describe(JsonObject node, List<string> parts, string prefix)
    {
        if (node["x-kubernetes-int-or-string"]?.GetValue<bool>() == true && (string?)node["pattern"] is { } quantity)
        {
            // A quantity: the pattern says it all (an integer bound and a string length come with it).
            parts.Add(prefix + PatternName(quantity));
            return;
        }

        if ((string?)node["pattern"] is { } pattern)
        {
            parts.Add(prefix + PatternName(pattern));
        }

        var minimum = Number(node["minimum"]);
        var maximum = Number(node["maximum"]);
        var full = (string?)node["format"] == "int32" && minimum == int.MinValue && maximum == int.MaxValue;
        if (!full && minimum is { } min)
        {
            parts.Add($"{prefix}≥ {min.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!full && maximum is { } max)
        {
            parts.Add($"{prefix}≤ {max.ToString(CultureInfo.InvariantCulture)}");
        }

        Limit(node, parts, prefix, "minLength", "at least {0} character{1}");
        Limit(node, parts, prefix, "maxLength", "at most {0} character{1}");
        Limit(node, parts, prefix, "minItems", "at least {0} item{1}");
        Limit(node, parts, prefix, "maxItems", "at most {0} item{1}");
        Limit(node, parts, prefix, "minProperties", "at least {0} entr{2}");
        Limit(node, parts, prefix, "maxProperties", "at most {0} entr{2}");
    }

    private static void Limit(JsonObject node, List<string> parts, string prefix, string keyword, string format)
    {
        if (Number(node[keyword]) is { } value)
        {
            parts.Add(prefix + string.Format(CultureInfo.InvariantCulture, format, value, value == 1 ? "" : "s", value == 1 ? "y" : "ies"));
        }
    }

    private static double? Number(JsonNode? node) =>
        node is null ? null : double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string PatternName(string pattern) => pattern switch
    {
        CrdPatterns.Dns1123Label => "a DNS-1123 label",
        CrdPatterns.Dns1123Subdomain => "a DNS-1123 subdomain",
        CrdPatterns.ResourceName => "a qualified name",
        CrdPatterns.Quantity => "a non-negative quantity (an integer or a string)",
        CrdPatterns.PositiveQuantity => "a quantity greater than zero (an integer or a string)",
        CrdPatterns.LabelValue => "a label value",
        _ => $"matches `{pattern}`",
    };

    private static string Rule(JsonNode? rule) => $"{(string?)rule!["message"]} (`{(string?)rule["rule"]}`)";

    private static string Kind(Type type) => ((IKubernetesObject)Activator.CreateInstance(type)!).Kind;

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
