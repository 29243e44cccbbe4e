using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Schema;

/// <summary>Finds unknown fields of built-in kinds by strict deserialization into the KubernetesClient models.</summary>
internal static class BuiltinDecoder
{
    private const int MaxUnknown = 64;

    private static readonly JsonSerializerOptions Strict = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    private static readonly ConcurrentDictionary<Type, bool> Usable = new();

    /// <summary>Returns the unknown field paths (e.g. <c>spec.containers[0].imagee</c>); removes them from <paramref name="obj"/> when asked.</summary>
    public static List<string> UnknownFields(Type model, JsonObject obj, bool remove)
    {
        var unknown = new List<string>();
        if (Usable.TryGetValue(model, out var usable) && !usable)
        {
            return unknown;
        }

        // The common case (nothing unknown) decodes the object as is; a copy is made only to strip what was found.
        var work = obj;
        for (var i = 0; i < MaxUnknown; i++)
        {
            try
            {
                JsonSerializer.Deserialize(work, model, Strict);
                Usable.TryAdd(model, true);
                return unknown;
            }
            catch (JsonException e) when (e.Message.Contains("could not be mapped", StringComparison.Ordinal) && e.Path is { } path)
            {
                var field = PathOf(e.Message, path);
                if (!remove && ReferenceEquals(work, obj))
                {
                    work = (JsonObject)obj.DeepClone();
                }

                if (field is null || !RemoveAt(work, field))
                {
                    return unknown;
                }

                unknown.Add(Render(field));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or FormatException or ArgumentException)
            {
                // Not an unknown-field problem; the emulator does not reject what the model cannot express.
                return unknown;
            }
        }

        return unknown;
    }

    /// <summary>A copy of a merge or strategic-merge patch without <c>$</c> directives and nulls (decodable as the model).</summary>
    public static JsonObject WithoutDirectives(JsonObject patch) => (JsonObject)Clean(patch)!;

    private static JsonNode? Clean(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(kv => !kv.Key.StartsWith('$') && kv.Value is not null).Select(kv => KeyValuePair.Create(kv.Key, Clean(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Where(v => v is not JsonObject jo || JsonNodes.GetString(jo, "$patch") != "delete").Select(Clean)]),
        _ => node?.DeepClone(),
    };

    /// <summary>Removes the field at a rendered path such as <c>spec.containers[0].imagee</c>.</summary>
    public static void RemovePath(JsonObject root, string path)
    {
        var segments = new List<object>();
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            segments.Add(bracket < 0 ? part : part[..bracket]);
            while (bracket >= 0)
            {
                var end = part.IndexOf(']', bracket);
                if (end < 0 || !int.TryParse(part[(bracket + 1)..end], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return;
                }

                segments.Add(index);
                bracket = part.IndexOf('[', end);
            }
        }

        RemoveAt(root, segments);
    }

    private static List<object>? PathOf(string message, string jsonPath)
    {
        // Path looks like $.spec.containers[0].foo or $['weird.key']
        var segments = new List<object>();
        var p = jsonPath.StartsWith('$') ? jsonPath[1..] : jsonPath;
        var i = 0;
        while (i < p.Length)
        {
            if (p[i] == '.')
            {
                var start = ++i;
                while (i < p.Length && p[i] != '.' && p[i] != '[')
                {
                    i++;
                }

                segments.Add(p[start..i]);
            }
            else if (p[i] == '[')
            {
                var end = p.IndexOf(']', i);
                if (end < 0)
                {
                    return null;
                }

                var inner = p[(i + 1)..end];
                if (inner.StartsWith('\''))
                {
                    segments.Add(inner.Trim('\''));
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var idx))
                {
                    segments.Add(idx);
                }

                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        // The message names the property: "The JSON property 'foo' could not be mapped ..."
        var q1 = message.IndexOf('\'', StringComparison.Ordinal);
        var q2 = q1 >= 0 ? message.IndexOf('\'', q1 + 1) : -1;
        if (q1 >= 0 && q2 > q1)
        {
            var prop = message[(q1 + 1)..q2];
            if (segments.Count == 0 || segments[^1] is not string last || last != prop)
            {
                segments.Add(prop);
            }
        }

        return segments;
    }

    private static bool RemoveAt(JsonObject root, List<object> path)
    {
        JsonNode? node = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            node = (node, path[i]) switch
            {
                (JsonObject o, string s) => o[s],
                (JsonArray a, int k) when k < a.Count => a[k],
                _ => null,
            };
        }

        return node is JsonObject parent && path[^1] is string key && parent.Remove(key);
    }

    private static string Render(List<object> path)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var s in path)
        {
            if (s is int i)
            {
                sb.Append('[').Append(i.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append((string)s);
            }
        }

        return sb.ToString();
    }
}
