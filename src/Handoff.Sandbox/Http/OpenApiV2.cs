using System.Text;
using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Http;

/// <summary>
/// <c>/openapi/v2</c>: a Swagger 2.0 document without definitions, in JSON or in the protobuf form kubectl asks for
/// (gnostic's openapi_v2.Document). kubectl validates a <c>kind: List</c> on the client against this document (its
/// fieldValidation check knows no List); without it <c>kubectl apply -f</c> of a List failed with "the server could not
/// find the requested resource". With no definitions kubectl skips the client-side check for each item, and every
/// item is still validated by the server (<c>fieldValidation=Strict</c>), as for single objects.
/// </summary>
internal static class OpenApiV2
{
    private const string Title = "Kubernetes (Handoff sandbox)";

    public static JsonObject Json() => new()
    {
        ["swagger"] = "2.0",
        ["info"] = new JsonObject { ["title"] = Title, ["version"] = Discovery.GitVersion },
        ["paths"] = new JsonObject(),
        ["definitions"] = new JsonObject(),
    };

    /// <summary>Document{1 swagger, 2 info{1 title, 2 version}, 8 paths{}, 9 definitions{}}.</summary>
    public static byte[] Protobuf()
    {
        var info = new List<byte>();
        Text(info, 1, Title);
        Text(info, 2, Discovery.GitVersion);
        var document = new List<byte>();
        Text(document, 1, "2.0");
        Bytes(document, 2, [.. info]);
        Bytes(document, 8, []);
        Bytes(document, 9, []);
        return [.. document];
    }

    private static void Text(List<byte> target, int field, string value) => Bytes(target, field, Encoding.UTF8.GetBytes(value));

    private static void Bytes(List<byte> target, int field, byte[] value)
    {
        Varint(target, ((ulong)field << 3) | 2);
        Varint(target, (ulong)value.Length);
        target.AddRange(value);
    }

    private static void Varint(List<byte> target, ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            target.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }
}
