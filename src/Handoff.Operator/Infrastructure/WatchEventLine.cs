using System.Text.Json;
using k8s;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// One line of a watch stream, <c>{"type":"MODIFIED","object":{…}}</c>, read without decoding its object: the event's
/// type and where the object's JSON lies in the line, so it is decoded once, straight into what the cache keeps.
/// </summary>
public readonly record struct WatchEventLine(WatchEventType Type, Range Object)
{
    /// <summary>Reads the line's type and the bounds of its object; a line without either does not read.</summary>
    public static WatchEventLine Read(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a watch event is not a JSON object");
        }

        WatchEventType? type = null;
        Range? obj = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = TypeOf(ref reader);
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                obj = start..(int)reader.BytesConsumed;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return type is { } t && obj is { } o ? new WatchEventLine(t, o) : throw new JsonException("a watch event without a type or an object");
    }

    private static WatchEventType TypeOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("ADDED"u8) ? WatchEventType.Added
        : reader.ValueTextEquals("MODIFIED"u8) ? WatchEventType.Modified
        : reader.ValueTextEquals("DELETED"u8) ? WatchEventType.Deleted
        : reader.ValueTextEquals("BOOKMARK"u8) ? WatchEventType.Bookmark
        : reader.ValueTextEquals("ERROR"u8) ? WatchEventType.Error
        : throw new JsonException("an unknown watch event type: " + reader.GetString());
}
