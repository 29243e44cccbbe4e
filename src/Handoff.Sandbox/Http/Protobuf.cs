using System.Text;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Http;

/// <summary>
/// Decodes the Kubernetes protobuf envelope for the few simple kinds that kubectl's imperative generators send as
/// protobuf (<c>kubectl create namespace|configmap|secret|serviceaccount</c>): ObjectMeta name, generateName,
/// namespace, labels, annotations, finalizers and the kind's data fields. Anything else answers 415.
/// </summary>
internal static class Protobuf
{
    private static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    private readonly record struct Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes);

    /// <summary>Where a field of a message goes in the JSON object: by field number.</summary>
    private delegate void FieldReader(JsonObject target, Field field);

    private static readonly Dictionary<int, FieldReader> TypeMetaFields = new()
    {
        [1] = AsText("apiVersion"),
        [2] = AsText("kind"),
    };

    private static readonly Dictionary<int, FieldReader> ObjectMetaFields = new()
    {
        [1] = AsText("name"),
        [2] = AsText("generateName"),
        [3] = AsText("namespace"),
        [11] = AsMap("labels", base64: false),
        [12] = AsMap("annotations", base64: false),
        [14] = (target, f) =>
        {
            var list = target["finalizers"] as JsonArray ?? [];
            list.Add(Text(f));
            target["finalizers"] = list;
        },
    };

    private static readonly FieldReader Metadata = (target, f) => target["metadata"] = Read(f.Bytes, ObjectMetaFields, []);

    /// <summary>The fields of each kind decoded, numbered as in k8s.io/api/core/v1/generated.proto.</summary>
    private static readonly Dictionary<string, Dictionary<int, FieldReader>> V1Kinds = new(StringComparer.Ordinal)
    {
        ["Namespace"] = new() { [1] = Metadata },
        ["ServiceAccount"] = new() { [1] = Metadata },
        ["ConfigMap"] = new()
        {
            [1] = Metadata,
            [2] = AsMap("data", base64: false),
            [3] = AsMap("binaryData", base64: true),
            [4] = AsBool("immutable"),
        },
        ["Secret"] = new()
        {
            [1] = Metadata,
            [2] = AsMap("data", base64: true),
            [3] = AsText("type"),
            [4] = AsMap("stringData", base64: false),
            [5] = AsBool("immutable"),
        },
    };

    public static JsonObject? TryDecode(ReadOnlyMemory<byte> body)
    {
        if (body.Length < 4 || !body.Span[..4].SequenceEqual(Magic))
        {
            return null;
        }

        // The envelope (runtime.Unknown): 1 = TypeMeta, 2 = the object's bytes.
        var obj = new JsonObject();
        ReadOnlyMemory<byte> raw = default;
        foreach (var f in Fields(body[4..]))
        {
            switch (f.Number)
            {
                case 1:
                    Read(f.Bytes, TypeMetaFields, obj);
                    break;
                case 2:
                    raw = f.Bytes;
                    break;
            }
        }

        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        var kind = obj["kind"]?.GetValue<string>();
        return apiVersion == "v1" && kind is not null && V1Kinds.TryGetValue(kind, out var fields) ? Read(raw, fields, obj) : null;
    }

    private static JsonObject Read(ReadOnlyMemory<byte> message, Dictionary<int, FieldReader> readers, JsonObject target)
    {
        foreach (var f in Fields(message))
        {
            if (readers.TryGetValue(f.Number, out var read))
            {
                read(target, f);
            }
        }

        return target;
    }

    private static FieldReader AsText(string property) => (target, f) => target[property] = Text(f);

    private static FieldReader AsBool(string property) => (target, f) => target[property] = f.Varint != 0;

    private static FieldReader AsMap(string property, bool base64) => (target, f) => AddEntry(target, property, f.Bytes, base64);

    private static void AddEntry(JsonObject target, string property, ReadOnlyMemory<byte> entry, bool base64)
    {
        string? key = null;
        JsonNode? value = "";
        foreach (var f in Fields(entry))
        {
            if (f.Number == 1)
            {
                key = Text(f);
            }
            else if (f.Number == 2)
            {
                value = base64 ? Convert.ToBase64String(f.Bytes.Span) : Text(f);
            }
        }

        if (key is null)
        {
            return;
        }

        var map = target[property] as JsonObject ?? [];
        map[key] = value;
        target[property] = map;
    }

    private static string Text(Field f) => Encoding.UTF8.GetString(f.Bytes.Span);

    private static List<Field> Fields(ReadOnlyMemory<byte> data)
    {
        var fields = new List<Field>();
        var span = data.Span;
        var i = 0;
        while (i < span.Length)
        {
            var key = ReadVarint(span, ref i);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(span, ref i), default));
                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref i);
                    if (length < 0 || i + length > span.Length)
                    {
                        throw ApiException.BadRequest("the protobuf body is truncated");
                    }

                    fields.Add(new Field(number, wire, 0, data.Slice(i, length)));
                    i += length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    throw ApiException.BadRequest($"the protobuf body has an unsupported wire type {wire}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int i)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (i >= span.Length)
            {
                throw ApiException.BadRequest("the protobuf body is truncated");
            }

            var b = span[i++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw ApiException.BadRequest("the protobuf body has a malformed varint");
    }
}
