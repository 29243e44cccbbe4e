using System.Text.Json.Nodes;
using Handoff.Sandbox.Schema;

namespace Handoff.Sandbox.Tests.Schema;

/// <summary>Unknown fields of built-in kinds.</summary>
public sealed class BuiltinDecoderTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Unknown_fields_of_built_in_kinds_come_from_strict_decoding_into_the_models()
    {
        var pod = Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","imagee":"typo"}],"nodeNmae":"x"}}""");
        Assert.Equal(["spec.containers[0].imagee", "spec.nodeNmae"], BuiltinDecoder.UnknownFields(typeof(k8s.Models.V1Pod), pod, remove: false).Order(StringComparer.Ordinal));
        Assert.Empty(BuiltinDecoder.UnknownFields(typeof(k8s.Models.V1Pod), Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""), remove: false));
    }
}
