using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// Reads a quantity (<c>"16Gi"</c>, or a bare number) as the kept instance of its text
/// (<see cref="SharedInstances{T}.ShareEncoded"/>): nothing is parsed for a text seen before, and a text seen first is
/// parsed and kept by its value, so equal quantities written otherwise (<c>1</c>, <c>1000m</c>) are one instance.
/// Writes it as KubernetesClient does, as its canonical text.
/// </summary>
public sealed class KeptQuantityJsonConverter : JsonConverter<ResourceQuantity>
{
    private readonly SharedInstances<ResourceQuantity> _kept;
    private readonly Func<ReadOnlySpan<byte>, ResourceQuantity> _decode;

    public KeptQuantityJsonConverter(SharedInstances<ResourceQuantity> kept)
    {
        _kept = kept;
        _decode = utf8 => kept.Share(new ResourceQuantity(Encoding.UTF8.GetString(utf8)));
    }

    public override ResourceQuantity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String when !reader.HasValueSequence && !reader.ValueIsEscaped => Read(reader.ValueSpan),
            JsonTokenType.String => _kept.Share(new ResourceQuantity(reader.GetString())),
            JsonTokenType.Number => Read(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new JsonException($"a quantity is a string or a number, not {reader.TokenType}"),
        };

    private ResourceQuantity Read(ReadOnlySpan<byte> utf8) => _kept.ShareEncoded(utf8, utf8, _decode);

    public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
