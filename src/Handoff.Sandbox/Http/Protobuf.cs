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

    public static JsonObject? TryDecode(ReadOnlyMemory<byte> body)
    {
        if (body.Length < 4 || !body.Span[..4].SequenceEqual(Magic))
        {
            return null;
        }

        string? apiVersion = null;
        string? kind = null;
        ReadOnlyMemory<byte> raw = default;
        foreach (var f in Fields(body[4..]))
        {
            switch (f.Number)
            {
                case 1:
                    foreach (var t in Fields(f.Bytes))
                    {
                        if (t.Number == 1)
                        {
                            apiVersion = Text(t);
                        }
                        else if (t.Number == 2)
                        {
                            kind = Text(t);
                        }
                    }

                    break;
                case 2:
                    raw = f.Bytes;
                    break;
            }
        }

        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        switch ((apiVersion, kind))
        {
            case ("v1", "Namespace" or "ServiceAccount"):
                foreach (var f in Fields(raw))
                {
                    if (f.Number == 1)
                    {
                        obj["metadata"] = Meta(f.Bytes);
                    }
                }

                return obj;
            case ("v1", "ConfigMap"):
                foreach (var f in Fields(raw))
                {
                    switch (f.Number)
                    {
                        case 1:
                            obj["metadata"] = Meta(f.Bytes);
                            break;
                        case 2:
                            AddEntry(obj, "data", f.Bytes, base64: false);
                            break;
                        case 3:
                            AddEntry(obj, "binaryData", f.Bytes, base64: true);
                            break;
                        case 4:
                            obj["immutable"] = f.Varint != 0;
                            break;
                    }
                }

                return obj;
            case ("v1", "Secret"):
                foreach (var f in Fields(raw))
                {
                    switch (f.Number)
                    {
                        case 1:
                            obj["metadata"] = Meta(f.Bytes);
                            break;
                        case 2:
                            AddEntry(obj, "data", f.Bytes, base64: true);
                            break;
                        case 3:
                            obj["type"] = Text(f);
                            break;
                        case 4:
                            AddEntry(obj, "stringData", f.Bytes, base64: false);
                            break;
                        case 5:
                            obj["immutable"] = f.Varint != 0;
                            break;
                    }
                }

                return obj;
            default:
                return null;
        }
    }

    private static JsonObject Meta(ReadOnlyMemory<byte> bytes)
    {
        var meta = new JsonObject();
        foreach (var f in Fields(bytes))
        {
            switch (f.Number)
            {
                case 1:
                    meta["name"] = Text(f);
                    break;
                case 2:
                    meta["generateName"] = Text(f);
                    break;
                case 3:
                    meta["namespace"] = Text(f);
                    break;
                case 11:
                    AddEntry(meta, "labels", f.Bytes, base64: false);
                    break;
                case 12:
                    AddEntry(meta, "annotations", f.Bytes, base64: false);
                    break;
                case 14:
                    var list = meta["finalizers"] as JsonArray ?? [];
                    list.Add(Text(f));
                    meta["finalizers"] = list;
                    break;
            }
        }

        return meta;
    }

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
