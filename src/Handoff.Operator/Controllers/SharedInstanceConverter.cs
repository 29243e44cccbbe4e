using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Handoff.Operator.Controllers;

/// <summary>
/// Decodes a part of a function (its pod template, its spec) through <see cref="SharedInstances{T}"/> by the JSON it
/// arrives in: a value whose bytes were seen before is the instance kept for them and is not decoded again. Every watch
/// event of a function carries its whole spec (a status write is one), and a restart lists all of them: decoding the
/// same template over and over was most of the list's decode.
/// </summary>
/// <param name="pool">where values are kept</param>
/// <param name="inner">the options a new value is decoded with (without this converter)</param>
/// <param name="keep">what is kept of a newly decoded value (its strings pooled, say)</param>
/// <param name="path">
/// where the value sits in what it is decoded within (<c>$.spec</c> in a function, <c>$.template</c> in a spec): a problem
/// inside it is said from there, and so, converter by converter, from the object's root
/// </param>
/// <param name="shareable">
/// whether a value may be equal to others' (null: always); one that cannot is decoded as it is, without a pool entry
/// that would only make it larger
/// </param>
public sealed class SharedInstanceConverter<T>(
    SharedInstances<T> pool, JsonSerializerOptions inner, Func<T, T> keep, string path, Func<JsonElement, bool>? shareable = null)
    : JsonConverter<T>
    where T : class, new()
{
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var element = document.RootElement;
        return shareable is null || shareable(element)
            ? pool.ShareEncoded(JsonMarshal.GetRawUtf8Value(element), (Converter: this, Element: element), static s => s.Converter.Decode(s.Element, kept: true))
            : Decode(element, kept: false);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, inner);

    private T Decode(JsonElement element, bool kept)
    {
        try
        {
            var value = element.Deserialize<T>(inner) ?? new T();
            return kept ? keep(value) : value;
        }
        catch (JsonException ex) when (ex.Path is { Length: > 0 } inside)
        {
            throw new JsonException(
                ex.Message.Replace("Path: $", "Path: " + path, StringComparison.Ordinal), path + inside[1..], ex.LineNumber, ex.BytePositionInLine, ex);
        }
    }
}
