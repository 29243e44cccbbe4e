using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>Reading, writing and navigating <see cref="JsonNode"/> trees: the emulator stores every object as one.</summary>
internal static class JsonNodes
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static readonly JsonSerializerOptions SerializerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] ToBytes(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        return JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException("expected a JSON object");
    }

    /// <summary>Touches every node so that lazily backed objects are materialized (safe for concurrent readers).</summary>
    public static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    Materialize(value);
                }

                break;
            case JsonArray arr:
                foreach (var value in arr)
                {
                    Materialize(value);
                }

                break;
        }
    }

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    public static string? GetString(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    public static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    /// <summary>
    /// An integer, whatever backs the value: a parsed document holds a <see cref="JsonElement"/>, YAML manifests and
    /// the emulator's own writes hold <see cref="long"/> or <see cref="int"/> (<c>TryGetValue&lt;int&gt;</c> sees only one of them).
    /// </summary>
    public static long? Int64(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number &&
        long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Whether the node is JSON <c>true</c>.</summary>
    public static bool IsTrue(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    /// <summary>Renders a scalar as the API server would in a field selector or table cell.</summary>
    public static string ScalarText(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return "";
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => value.ToJsonString(),
            _ => "",
        };
    }

    public static JsonNode? At(JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var segment in path)
        {
            if (node is not JsonObject obj)
            {
                return null;
            }

            node = obj[segment];
        }

        return node;
    }

    public static JsonNode? AtDotted(JsonNode? node, string dottedPath)
    {
        foreach (var segment in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not JsonObject obj)
            {
                return null;
            }

            node = obj[segment];
        }

        return node;
    }

    public static JsonObject? Labels(JsonObject obj) => At(obj, "metadata", "labels") as JsonObject;

    public static bool DeepEqualsIgnoring(JsonObject a, JsonObject b, params string[] ignoredTopLevel)
    {
        foreach (var (key, value) in a)
        {
            if (Array.IndexOf(ignoredTopLevel, key) >= 0)
            {
                continue;
            }

            if (!JsonNode.DeepEquals(value, b[key]))
            {
                return false;
            }
        }

        foreach (var (key, value) in b)
        {
            if (Array.IndexOf(ignoredTopLevel, key) < 0 && !a.ContainsKey(key) && value is not null)
            {
                return false;
            }
        }

        return true;
    }
}
