using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>Table columns of custom resources from <c>additionalPrinterColumns</c>, with a small JSONPath evaluator.</summary>
internal static class PrinterColumns
{
    public static IReadOnlyList<TableColumn> For(JsonObject version)
    {
        var name = new TableColumn("Name", "string", "name", 0, "Name must be unique within a namespace.", (o, _) => JsonNodes.At(o, "metadata", "name")?.DeepClone());
        if (version["additionalPrinterColumns"] is not JsonArray columns || columns.Count == 0)
        {
            return [name, BuiltinTypes.AgeColumn()];
        }

        var result = new List<TableColumn> { name };
        foreach (var c in columns.OfType<JsonObject>())
        {
            var path = JsonNodes.GetString(c, "jsonPath") ?? "";
            var type = JsonNodes.GetString(c, "type") ?? "string";
            var priority = (int)(JsonNodes.Int64(c["priority"]) ?? 0);
            result.Add(new TableColumn(
                JsonNodes.GetString(c, "name") ?? path,
                type,
                JsonNodes.GetString(c, "format") ?? "",
                priority,
                JsonNodes.GetString(c, "description") ?? "",
                (o, now) => Cell(o, path, type, now)));
        }

        return result;
    }

    private static JsonNode? Cell(JsonObject o, string path, string type, DateTimeOffset now)
    {
        var values = Evaluate(o, path);
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            return string.Join(",", values.Select(v => v is JsonValue ? JsonNodes.ScalarText(v) : v?.ToJsonString()));
        }

        var value = values[0];
        switch (type)
        {
            case "date":
                return KubeTime.ParseTime(value) is { } t ? KubeTime.HumanDuration(now - t) : null;
            case "integer" when value is JsonValue iv && long.TryParse(JsonNodes.ScalarText(iv), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l):
                return l;
            case "number" when value is JsonValue nv && double.TryParse(JsonNodes.ScalarText(nv), NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                return d;
            case "boolean" when value is JsonValue bv && bv.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return bv.GetValueKind() == JsonValueKind.True;
            default:
                return value is JsonValue ? JsonNodes.ScalarText(value) : value?.ToJsonString();
        }
    }

    /// <summary>Evaluates the JSONPath subset used by printer columns: <c>.a.b</c>, <c>.a[0]</c>, <c>.a[*].b</c>, <c>.a[?(@.type=="Ready")].status</c>.</summary>
    public static List<JsonNode?> Evaluate(JsonNode? root, string path)
    {
        var p = path.Trim();
        if (p.StartsWith('{') && p.EndsWith('}'))
        {
            p = p[1..^1];
        }

        if (p.StartsWith('$'))
        {
            p = p[1..];
        }

        var current = new List<JsonNode?> { root };
        var i = 0;
        while (i < p.Length && current.Count > 0)
        {
            if (p[i] == '.')
            {
                i++;
                var start = i;
                while (i < p.Length && p[i] != '.' && p[i] != '[')
                {
                    i++;
                }

                var field = p[start..i];
                if (field.Length == 0)
                {
                    continue;
                }

                current = [.. current.OfType<JsonObject>().Where(o => o.ContainsKey(field)).Select(o => o[field])];
            }
            else if (p[i] == '[')
            {
                var end = FindClose(p, i);
                var inner = p[(i + 1)..end].Trim();
                i = end + 1;
                current = Index(current, inner);
            }
            else
            {
                return [];
            }
        }

        return current;
    }

    private static int FindClose(string p, int open)
    {
        var depth = 0;
        var quote = false;
        for (var j = open; j < p.Length; j++)
        {
            switch (p[j])
            {
                case '"' or '\'':
                    quote = !quote;
                    break;
                case '[' when !quote:
                    depth++;
                    break;
                case ']' when !quote:
                    depth--;
                    if (depth == 0)
                    {
                        return j;
                    }

                    break;
            }
        }

        return p.Length - 1;
    }

    private static List<JsonNode?> Index(List<JsonNode?> current, string inner)
    {
        var result = new List<JsonNode?>();
        if (inner == "*")
        {
            foreach (var node in current)
            {
                switch (node)
                {
                    case JsonArray a:
                        result.AddRange(a);
                        break;
                    case JsonObject o:
                        result.AddRange(o.Select(kv => kv.Value));
                        break;
                }
            }

            return result;
        }

        if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            var cond = inner[2..^1].Trim();
            var op = cond.Contains("!=", StringComparison.Ordinal) ? "!=" : "==";
            var parts = cond.Split(op, 2);
            var left = parts[0].Trim();
            var right = parts.Length > 1 ? parts[1].Trim().Trim('"', '\'') : null;
            foreach (var a in current.OfType<JsonArray>())
            {
                foreach (var item in a)
                {
                    var values = Evaluate(item, left.StartsWith('@') ? left[1..] : left);
                    var actual = values.Count > 0 ? JsonNodes.ScalarText(values[0]) : null;
                    var match = right is null ? values.Count > 0 : (op == "==" ? actual == right : actual != right);
                    if (match)
                    {
                        result.Add(item);
                    }
                }
            }

            return result;
        }

        if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            foreach (var a in current.OfType<JsonArray>())
            {
                var k = index < 0 ? a.Count + index : index;
                if (k >= 0 && k < a.Count)
                {
                    result.Add(a[k]);
                }
            }

            return result;
        }

        var key = inner.Trim('"', '\'');
        return [.. current.OfType<JsonObject>().Where(o => o.ContainsKey(key)).Select(o => o[key])];
    }
}
