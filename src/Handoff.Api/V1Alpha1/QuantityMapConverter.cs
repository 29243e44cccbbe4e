using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Handoff.Api.V1Alpha1;

/// <summary>
/// A resource map (<c>cost</c>, <c>capacity</c>, <c>quota</c>, ...) read as core Kubernetes reads quantities: each value
/// is a string (<c>"500m"</c>) or a JSON number (<c>8</c>, kept as written), so <c>cost: {cpu: 8}</c> works as in a pod's
/// <c>resources</c>. Written back as strings.
/// </summary>
public sealed class QuantityMapConverter : JsonConverter<IDictionary<string, string>>
{
    public override IDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a resource map must be an object, not {reader.TokenType}");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            map[name] = QuantityStringConverter.ReadQuantity(ref reader);
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, IDictionary<string, string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var (name, quantity) in value)
        {
            writer.WriteString(name, quantity);
        }

        writer.WriteEndObject();
    }
}

/// <summary>One quantity read as a string from a JSON string or number (<c>weight: 1</c> or <c>weight: "0.5"</c>).</summary>
public sealed class QuantityStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadQuantity(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    internal static string ReadQuantity(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,

        // The number as written (8, 0.5, 1e3): the quantity parser reads the same text.
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        _ => throw new JsonException($"a quantity must be a string or a number, not {reader.TokenType}"),
    };
}
