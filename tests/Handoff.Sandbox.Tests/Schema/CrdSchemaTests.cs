using System.Text.Json.Nodes;
using Handoff.Sandbox.Schema;

namespace Handoff.Sandbox.Tests.Schema;

/// <summary>Validation, pruning and defaults of CRD schemas.</summary>
public sealed class CrdSchemaTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void CRD_schemas_handle_nullable_int_or_string_preserve_unknown_fields_and_defaults()
    {
        var schema = new CrdSchema(Obj("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "n":{"type":"string","nullable":true},
              "q":{"x-kubernetes-int-or-string":true},
              "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
              "m":{"type":"integer","minimum":0,"exclusiveMinimum":true},
              "d":{"type":"string","default":"x"},
              "list":{"type":"array","items":{"type":"object","properties":{"k":{"type":"string"}}}}}}}}
            """));
        Assert.Empty(schema.Validate(Obj("""{"spec":{"n":null,"q":"1Gi","free":{"any":{"thing":1}},"m":1}}""")));
        Assert.Empty(schema.Validate(Obj("""{"spec":{"q":3}}""")));
        var causes = schema.Validate(Obj("""{"spec":{"q":true,"m":0}}"""));
        Assert.Contains(causes, c => c.Field == "spec.q" && c.Message.Contains("must be of type integer,string", StringComparison.Ordinal));
        Assert.Contains(causes, c => c.Field == "spec.m" && c.Message.Contains("should be greater than 0", StringComparison.Ordinal));

        var obj = Obj("""{"spec":{"free":{"x":1},"list":[{"k":"a","extra":1}],"bogus":2}}""");
        Assert.Equal(["spec.list[0].extra", "spec.bogus"], schema.Prune(obj, remove: true));
        Assert.False(((JsonObject)obj["spec"]!).ContainsKey("bogus"));
        schema.ApplyDefaults(obj);
        Assert.Equal("x", (string)obj["spec"]!["d"]!);
    }
}
