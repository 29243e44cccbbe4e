using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>Merge, strategic merge and JSON patches.</summary>
public sealed class PatchesTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

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
}
