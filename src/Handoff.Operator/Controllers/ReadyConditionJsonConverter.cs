using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// Reads a Node's conditions keeping only the Ready one (all the operator reads of them): the kubelet's pressure
/// conditions, posted with every status report, are skipped unread. Writes whatever list it is given.
/// </summary>
public sealed class ReadyConditionJsonConverter : JsonConverter<IList<V1NodeCondition>>
{
    public override IList<V1NodeCondition>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("a Node's conditions are not an array");
        }

        var info = ConditionInfo(options);
        var kept = new List<V1NodeCondition>(1);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (IsReady(reader))
            {
                kept.Add(JsonSerializer.Deserialize(ref reader, info)!);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return kept;
    }

    public override void Write(Utf8JsonWriter writer, IList<V1NodeCondition> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var info = ConditionInfo(options);
        writer.WriteStartArray();
        foreach (var condition in value)
        {
            JsonSerializer.Serialize(writer, condition, info);
        }

        writer.WriteEndArray();
    }

    private static JsonTypeInfo<V1NodeCondition> ConditionInfo(JsonSerializerOptions options) =>
        (JsonTypeInfo<V1NodeCondition>)options.GetTypeInfo(typeof(V1NodeCondition));

    // Looks ahead in a copy of the reader: a converter is handed its whole value, so the copy can read all of it.
    private static bool IsReady(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("Ready"u8);
            }

            SkipValue(ref reader);
        }

        return false;
    }

    // Skip refuses a reader over part of a document (a list decoded from a stream, a buffer at a time) even when the
    // value is all there, as a converter's is; TrySkip does not.
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip())
        {
            throw new JsonException("a Node condition is not whole in the buffer");
        }
    }
}
