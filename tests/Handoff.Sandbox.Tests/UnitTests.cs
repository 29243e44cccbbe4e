using System.Text.Json.Nodes;
using Handoff.Sandbox.Schema;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests;

/// <summary>The emulator's building blocks: selectors, patches, JSONPath, schema conversion.</summary>
public sealed class UnitTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData("a=1", true)]
    [InlineData("a==1,b", true)]
    [InlineData("a!=1", false)]
    [InlineData("a in (1, 2),b notin (x)", true)]
    [InlineData("a notin (1)", false)]
    [InlineData("!c", true)]
    [InlineData("!b", false)]
    [InlineData("c", false)]
    [InlineData("c!=1", true)]
    public void Label_selectors_follow_Kubernetes_semantics(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(Obj("""{"a":"1","b":"2"}""")));

    [Fact]
    public void Malformed_selectors_are_400s()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => LabelSelector.Parse("a in 1")).Code);
        var pods = BuiltinTypes.All.Single(t => t.Plural == "pods" && t.Group.Length == 0);
        Assert.Equal("field label not supported: spec.containers", Assert.Throws<ApiException>(() => FieldSelector.Parse("spec.containers=x", pods)).Message);
        Assert.True(FieldSelector.Parse("spec.nodeName=,status.phase!=Failed", pods).Matches(Obj("""{"status":{"phase":"Pending"}}""")));
    }

    [Fact]
    public void Merge_patch_follows_RFC_7386()
    {
        var result = Patches.MergePatch(Obj("""{"a":{"b":1,"c":2},"d":[1,2]}"""), Obj("""{"a":{"b":null,"e":3},"d":[3]}"""));
        Assert.True(JsonNode.DeepEquals(Obj("""{"a":{"c":2,"e":3},"d":[3]}"""), result));
    }

    [Fact]
    public void Strategic_merge_patch_merges_keyed_lists_and_honours_directives()
    {
        var pod = Obj("""{"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"A","value":"1"}]},{"name":"b","image":"y"}]},"metadata":{"finalizers":["f1"]}}""");
        var patch = Obj("""{"spec":{"containers":[{"name":"a","env":[{"name":"B","value":"2"}]},{"name":"b","$patch":"delete"}]},"metadata":{"finalizers":["f2"]}}""");
        var result = (JsonObject)Patches.StrategicMergePatch(pod, patch)!;
        var containers = (JsonArray)result["spec"]!["containers"]!;
        Assert.Single(containers);
        Assert.Equal(["A", "B"], ((JsonArray)containers[0]!["env"]!).Select(e => (string)e!["name"]!));
        Assert.Equal("x", (string)containers[0]!["image"]!);
        Assert.Equal(["f1", "f2"], ((JsonArray)result["metadata"]!["finalizers"]!).Select(f => (string)f!));

        var replaced = (JsonObject)Patches.StrategicMergePatch(Obj("""{"spec":{"a":1,"b":2}}"""), Obj("""{"spec":{"$patch":"replace","c":3}}"""))!;
        Assert.True(JsonNode.DeepEquals(Obj("""{"spec":{"c":3}}"""), replaced));
    }

    [Fact]
    public void Json_patch_follows_RFC_6902_and_a_failed_test_is_an_error()
    {
        var doc = Patches.JsonPatch(Obj("""{"a":[1,2],"b":{"c":1}}"""), JsonNode.Parse("""
            [{"op":"add","path":"/a/-","value":3},{"op":"remove","path":"/b/c"},{"op":"copy","from":"/a/0","path":"/b/d"},
             {"op":"move","from":"/b/d","path":"/e"},{"op":"test","path":"/e","value":1},{"op":"replace","path":"/a/0","value":9}]
            """)!.AsArray());
        Assert.True(JsonNode.DeepEquals(Obj("""{"a":[9,2,3],"b":{},"e":1}"""), doc));
        Assert.Equal(422, Assert.Throws<ApiException>(() => Patches.JsonPatch(Obj("""{"a":1}"""), JsonNode.Parse("""[{"op":"test","path":"/a","value":2}]""")!.AsArray())).Code);
        Assert.Equal(422, Assert.Throws<ApiException>(() => Patches.JsonPatch(Obj("""{"a":1}"""), JsonNode.Parse("""[{"op":"remove","path":"/x/y"}]""")!.AsArray())).Code);
    }

    [Theory]
    [InlineData(".status.phase", "Running")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "True")]
    [InlineData(".status.conditions[0].type", "Scheduled")]
    [InlineData(".status.conditions[*].type", "Scheduled,Ready")]
    [InlineData("{.spec.cost.nvidia\\.com/gpu}", null)]
    public void Printer_column_JSONPath_subset(string path, string? expected)
    {
        var obj = Obj("""{"status":{"phase":"Running","conditions":[{"type":"Scheduled","status":"True"},{"type":"Ready","status":"True"}]}}""");
        var values = PrinterColumns.Evaluate(obj, path);
        Assert.Equal(expected, values.Count == 0 ? null : string.Join(",", values.Select(Jn.ScalarText)));
    }

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

    [Fact]
    public void Unknown_fields_of_built_in_kinds_come_from_strict_decoding_into_the_models()
    {
        var pod = Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","imagee":"typo"}],"nodeNmae":"x"}}""");
        Assert.Equal(["spec.containers[0].imagee", "spec.nodeNmae"], BuiltinDecoder.UnknownFields(typeof(k8s.Models.V1Pod), pod, remove: false).Order(StringComparer.Ordinal));
        Assert.Empty(BuiltinDecoder.UnknownFields(typeof(k8s.Models.V1Pod), Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""), remove: false));
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(150, "2m30s")]
    [InlineData(900, "15m")]
    [InlineData(4 * 3600 + 600, "4h10m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 7200, "3d2h")]
    [InlineData(40 * 86400, "40d")]
    public void Ages_print_like_kubectl(int seconds, string expected) => Assert.Equal(expected, Jn.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void YAML_manifests_keep_quoted_strings_and_type_plain_scalars()
    {
        var docs = Manifests.ParseYaml("""
            a: "1"
            b: 1
            c: true
            d: ~
            e: 1.5
            f: 1e3
            ---
            kind: List
            items: [{x: 1}, {y: 2}]
            """);
        Assert.Equal(3, docs.Count);
        Assert.Equal("""{"a":"1","b":1,"c":true,"d":null,"e":1.5,"f":1000}""", docs[0].ToJsonString());
    }
}
