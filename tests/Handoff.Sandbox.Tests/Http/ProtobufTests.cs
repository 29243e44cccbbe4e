using System.Text;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Http;

namespace Handoff.Sandbox.Tests.Http;

/// <summary>
/// The protobuf bodies of <c>kubectl create namespace|configmap|secret|serviceaccount</c>, written here field by field
/// (numbers from k8s.io/api/core/v1/generated.proto) and decoded to the JSON the emulator stores.
/// </summary>
public sealed class ProtobufTests
{
    private static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Bytes(int number, byte[] value) => [.. Varint(((ulong)number << 3) | 2), .. Varint((ulong)value.Length), .. value];

    private static byte[] Text(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    private static byte[] Flag(int number, bool value) => [.. Varint((ulong)number << 3), .. Varint(value ? 1UL : 0UL)];

    private static byte[] Entry(int number, string key, byte[] value) => Bytes(number, [.. Text(1, key), .. Bytes(2, value)]);

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. Magic, .. Bytes(1, [.. Text(1, apiVersion), .. Text(2, kind)]), .. Bytes(2, raw)];

    private static readonly byte[] Meta = Bytes(1, [
        .. Text(1, "s1"), .. Text(2, "s-"), .. Text(3, "ns1"),
        .. Entry(11, "tier", "web"u8.ToArray()), .. Entry(12, "note", "hi"u8.ToArray()),
        .. Text(14, "a/one"), .. Text(14, "b/two"),
    ]);

    private static void AssertJson(string expected, JsonObject? actual) =>
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), actual?.ToJsonString());

    [Fact]
    public void A_secret_decodes_with_its_metadata_data_type_stringData_and_immutable()
    {
        var body = Envelope("v1", "Secret", [
            .. Meta, .. Entry(2, "pw", [0x00, 0xff]), .. Text(3, "Opaque"), .. Entry(4, "plain", "text"u8.ToArray()), .. Flag(5, true),
        ]);
        AssertJson(
            """
            {"apiVersion":"v1","kind":"Secret",
             "metadata":{"name":"s1","generateName":"s-","namespace":"ns1","labels":{"tier":"web"},"annotations":{"note":"hi"},"finalizers":["a/one","b/two"]},
             "data":{"pw":"AP8="},"type":"Opaque","stringData":{"plain":"text"},"immutable":true}
            """,
            Protobuf.TryDecode(body));
    }

    [Fact]
    public void A_config_map_decodes_data_as_text_and_binaryData_as_base64()
    {
        var body = Envelope("v1", "ConfigMap", [
            .. Bytes(1, Text(1, "c1")), .. Entry(2, "a", "b"u8.ToArray()), .. Entry(2, "c", "d"u8.ToArray()), .. Entry(3, "bin", [0x01, 0x02]), .. Flag(4, false),
        ]);
        AssertJson(
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{"a":"b","c":"d"},"binaryData":{"bin":"AQI="},"immutable":false}""",
            Protobuf.TryDecode(body));
    }

    [Theory]
    [InlineData("Namespace")]
    [InlineData("ServiceAccount")]
    public void Namespaces_and_service_accounts_decode_their_metadata_only(string kind)
    {
        // Field 2 (spec of a Namespace, secrets of a ServiceAccount) is not read.
        var body = Envelope("v1", kind, [.. Bytes(1, Text(1, "x1")), .. Bytes(2, Text(1, "ignored"))]);
        AssertJson($$$"""{"apiVersion":"v1","kind":"{{{kind}}}","metadata":{"name":"x1"}}""", Protobuf.TryDecode(body));
    }

    [Fact]
    public void Other_kinds_and_bodies_without_the_magic_prefix_are_not_decoded()
    {
        Assert.Null(Protobuf.TryDecode(Envelope("v1", "Pod", Bytes(1, Text(1, "p1")))));
        Assert.Null(Protobuf.TryDecode(Envelope("apps/v1", "Deployment", Bytes(1, Text(1, "d1")))));
        Assert.Null(Protobuf.TryDecode("""{"kind":"Namespace"}"""u8.ToArray()));
    }
}
