using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handoff.Api.Manifests;

/// <summary>
/// Splits a manifest text into documents exactly as kubectl 1.35 does (k8s.io/apimachinery's YAMLOrJSONDecoder):
/// a text whose first non-space character is <c>{</c> is read as a stream of JSON values; if the first or second of
/// them is not valid JSON the rest is read as YAML (so a JSON object followed by <c>---</c> and YAML works, but two
/// JSON objects followed by YAML do not). YAML is split into documents at every line that starts with <c>---</c>;
/// anything but spaces and a comment after the <c>---</c> is an error. Documents without content are skipped.
/// </summary>
internal static class ManifestText
{
    /// <summary>Every document with content, in order, with the lines of its fields.</summary>
    public static IEnumerable<(JsonNode Root, FieldLines Lines)> Documents(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var firstContent = 0;
        while (firstContent < text.Length && char.IsWhiteSpace(text[firstContent]))
        {
            firstContent++;
        }

        var yamlFrom = 0;
        if (firstContent < text.Length && text[firstContent] == '{')
        {
            var json = new List<(JsonNode?, FieldLines)>();
            yamlFrom = ReadJsonStream(text, source, json);
            foreach (var (root, lines) in json)
            {
                if (root is not null)
                {
                    yield return (root, lines);
                }
            }
        }

        if (yamlFrom < text.Length)
        {
            foreach (var document in YamlDocuments(text, yamlFrom, source))
            {
                yield return document;
            }
        }
    }

    /// <summary>
    /// Reads JSON values from the start of <paramref name="text"/>. Returns the character offset from which the rest
    /// is YAML (the text's length when it was all JSON).
    /// </summary>
    private static int ReadJsonStream(string text, string source, List<(JsonNode?, FieldLines)> values)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var lineStarts = LineStarts(utf8);
        var consumed = 0;
        while (true)
        {
            var next = consumed;
            while (next < utf8.Length && utf8[next] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                next++;
            }

            if (next == utf8.Length)
            {
                return text.Length;
            }

            try
            {
                var (value, lines, length) = JsonToNode.ReadValue(utf8.AsSpan(next), source, offset => LineOf(lineStarts, next + offset));
                values.Add((value, lines));
                consumed = next + length;
            }
            catch (JsonException) when (values.Count <= 1)
            {
                // Zero or one JSON value so far: the stream is still ambiguous and kubectl reads the rest as YAML,
                // starting after the whitespace (up to the first line break) that followed the last JSON value.
                var rest = consumed;
                while (rest < utf8.Length && utf8[rest] is (byte)' ' or (byte)'\t' or (byte)'\r')
                {
                    rest++;
                }

                return Encoding.UTF8.GetCharCount(utf8, 0, rest);
            }
            catch (JsonException e)
            {
                var line = LineOf(lineStarts, next) + (int)(e.LineNumber ?? 0);
                throw new ManifestException(new ManifestLocation(source, line), $"malformed JSON: {JsonToNode.Describe(e)}", e);
            }
        }
    }

    private static IEnumerable<(JsonNode Root, FieldLines Lines)> YamlDocuments(string text, int from, string source)
    {
        var firstLine = 1 + text.AsSpan(0, from).Count('\n');
        var lines = text[from..].Split('\n');
        var chunk = new StringBuilder();
        var chunkStart = firstLine;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.StartsWith("---", StringComparison.Ordinal))
            {
                var rest = line[3..].Trim();
                if (rest.Length > 0 && rest[0] != '#')
                {
                    throw new ManifestException(new ManifestLocation(source, firstLine + i),
                        $"invalid YAML document separator \"{line}\": only spaces and a comment may follow '---' (kubectl refuses it too)");
                }

                if (YamlToJson.Convert(chunk.ToString(), source, chunkStart) is { } document)
                {
                    yield return document;
                }

                chunk.Clear();
                chunkStart = firstLine + i + 1;
                continue;
            }

            chunk.Append(line).Append('\n');
        }

        if (YamlToJson.Convert(chunk.ToString(), source, chunkStart) is { } last)
        {
            yield return last;
        }
    }

    private static List<int> LineStarts(byte[] utf8)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static int LineOf(List<int> lineStarts, int byteOffset)
    {
        var index = lineStarts.BinarySearch(byteOffset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }
}
