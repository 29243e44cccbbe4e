using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// Reads a quantity (<c>"16Gi"</c>, or a bare number) as the kept instance of its text (<see cref="KeptQuantities"/>):
/// nothing is parsed for a text seen before. Writes it as KubernetesClient does, as its canonical text.
/// </summary>
public sealed class KeptQuantityJsonConverter(KeptQuantities kept) : JsonConverter<ResourceQuantity>
{
    public override ResourceQuantity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String when !reader.HasValueSequence && !reader.ValueIsEscaped => kept.Read(reader.ValueSpan),
            JsonTokenType.String => kept.Keep(new ResourceQuantity(reader.GetString())),
            JsonTokenType.Number => kept.Read(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new JsonException($"a quantity is a string or a number, not {reader.TokenType}"),
        };

    public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
