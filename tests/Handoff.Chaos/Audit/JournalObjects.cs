using System.Text.Json;
using Handoff.Core.Resources;

namespace Handoff.Chaos.Audit;

/// <summary>The few fields of a journal object the auditor reads, taken out of its JSON.</summary>
internal static class JournalObjects
{
    public const string FunctionLabel = "handoff.dev/function";
    public const string CostAnnotation = "handoff.dev/cost";

    public static string? String(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
            {
                return null;
            }
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString() : e.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? e.GetRawText() : null;
    }

    public static long Int64(JsonElement e, params string[] path) =>
        String(e, path) is { } text && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static JsonElement? Element(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
            {
                return null;
            }
        }

        return e;
    }

    public static Dictionary<string, string> Map(JsonElement e, params string[] path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Element(e, path) is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var p in obj.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return map;
    }

    /// <summary>The UID of the controlling owner (the function), if any.</summary>
    public static string? ControllerUid(JsonElement obj)
    {
        if (Element(obj, "metadata", "ownerReferences") is { ValueKind: JsonValueKind.Array } owners)
        {
            foreach (var o in owners.EnumerateArray())
            {
                if (o.TryGetProperty("controller", out var c) && c.ValueKind == JsonValueKind.True)
                {
                    return String(o, "uid");
                }
            }
        }

        return null;
    }

    /// <summary>The value of the env variable <paramref name="name"/> in each container (null where it is missing).</summary>
    public static List<(string Container, string? Value)> Env(JsonElement pod, string name)
    {
        var result = new List<(string, string?)>();
        if (Element(pod, "spec", "containers") is { ValueKind: JsonValueKind.Array } containers)
        {
            foreach (var c in containers.EnumerateArray())
            {
                string? value = null;
                if (c.TryGetProperty("env", out var env) && env.ValueKind == JsonValueKind.Array)
                {
                    value = env.EnumerateArray().Where(v => String(v, "name") == name).Select(v => String(v, "value") ?? "").FirstOrDefault();
                }

                result.Add((String(c, "name") ?? "?", value));
            }
        }

        return result;
    }

    /// <summary>The reason of the function's <c>Completed</c> condition.</summary>
    public static string? CompletedReason(JsonElement function)
    {
        if (Element(function, "status", "conditions") is { ValueKind: JsonValueKind.Array } conditions)
        {
            foreach (var c in conditions.EnumerateArray())
            {
                if (String(c, "type") == "Completed")
                {
                    return String(c, "reason");
                }
            }
        }

        return null;
    }

    /// <summary>The cost a pod was placed with (its annotation, a JSON map of quantities); null when missing or unreadable.</summary>
    public static ResourceList? Cost(JsonElement pod)
    {
        if (String(pod, "metadata", "annotations", CostAnnotation) is not { } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { } map ? ResourceList.Parse(map) : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}
