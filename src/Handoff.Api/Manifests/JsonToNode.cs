using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handoff.Api.Manifests;

/// <summary>
/// Reads one JSON value into a <see cref="JsonNode"/>, recording the line of every field and normalising numbers as
/// kubectl does (<see cref="GoNumbers"/>). A key written twice is refused (Go would keep the last).
/// </summary>
internal static class JsonToNode
{
    private static readonly JsonReaderOptions s_options = new()
    {
        AllowMultipleValues = true,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 256,
    };

    /// <summary>The value at the start of <paramref name="utf8"/>, its field lines and how many bytes it took.</summary>
    /// <exception cref="JsonException">the text is not valid JSON there.</exception>
    public static (JsonNode? Value, FieldLines Lines, int Length) ReadValue(ReadOnlySpan<byte> utf8, string source, Func<int, int> lineOf)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, new JsonReaderState(s_options));
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of JSON input", null, 0, 0);
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var value = Read(ref reader, "", lines, source, lineOf);
        return (value, new FieldLines(lines), (int)reader.BytesConsumed);
    }

    private static JsonNode? Read(ref Utf8JsonReader reader, string path, Dictionary<string, int> lines, string source, Func<int, int> lineOf)
    {
        var line = lineOf((int)reader.TokenStartIndex);
        lines.TryAdd(path, line);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    var keyLine = lineOf((int)reader.TokenStartIndex);
                    if (obj.ContainsKey(key))
                    {
                        throw new ManifestException(new ManifestLocation(source, keyLine),
                            $"duplicate key \"{key}\"{(path.Length == 0 ? "" : $" in {path}")} (kubectl would keep only the last value)");
                    }

                    var child = FieldLines.Child(path, key);
                    lines[child] = keyLine;
                    reader.Read();
                    obj[key] = Read(ref reader, child, lines, source, lineOf);
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(Read(ref reader, FieldLines.Item(path, array.Count), lines, source, lineOf));
                }

                return array;
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString());
            case JsonTokenType.Number:
                var text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                try
                {
                    return GoNumbers.FromJsonText(text);
                }
                catch (FormatException e)
                {
                    throw new ManifestException(new ManifestLocation(source, line), e.Message, e);
                }

            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }

    /// <summary>A reader error without .NET's position suffix.</summary>
    public static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
