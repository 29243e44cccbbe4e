using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;

namespace Handoff.Operator.Tests.Controllers;

public sealed class MergePatchesTests
{
    [Fact]
    public void Merge_patch_sends_only_changes_and_null_for_removed_fields_and_map_keys()
    {
        var current = new HandoffNodeStatus
        {
            Allocated = new Dictionary<string, string> { ["cpu"] = "2", ["nvidia.com/gpu"] = "1" },
            Available = new Dictionary<string, string> { ["cpu"] = "6", ["specialized_hardware"] = "1" },
            Functions = 1,
        };
        var desired = new HandoffNodeStatus
        {
            Allocated = new Dictionary<string, string> { ["cpu"] = "2" },
            Available = new Dictionary<string, string> { ["cpu"] = "6" },
            Functions = 0,
        };
        var patch = MergePatches.Diff(StatusPatches.ToJson(current), StatusPatches.ToJson(desired))!;
        using var doc = JsonDocument.Parse(MergePatches.StatusPatch(patch, "42"));
        var status = doc.RootElement.GetProperty("status");
        Assert.Equal(JsonValueKind.Null, status.GetProperty("allocated").GetProperty("nvidia.com/gpu").ValueKind);
        Assert.False(status.GetProperty("allocated").TryGetProperty("cpu", out _));
        Assert.Equal(JsonValueKind.Null, status.GetProperty("available").GetProperty("specialized_hardware").ValueKind);
        Assert.Equal(0, status.GetProperty("functions").GetInt32());
        Assert.Equal("42", doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        Assert.Null(MergePatches.Diff(StatusPatches.ToJson(desired), StatusPatches.ToJson(desired)));
    }

    [Fact]
    public void Nested_objects_are_diffed_key_by_key_and_arrays_are_replaced_whole()
    {
        var current = JsonNode.Parse("""{"a":{"b":1,"c":{"d":2,"e":3}},"list":[1,2,3],"same":"x"}""");
        var desired = JsonNode.Parse("""{"a":{"b":1,"c":{"d":2,"e":4}},"list":[1,2],"same":"x","new":{"k":"v"}}""");

        var patch = MergePatches.Diff(current, desired)!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":{"c":{"e":4}},"list":[1,2],"new":{"k":"v"}}"""), patch), patch.ToJsonString());
    }

    [Fact]
    public void A_value_that_changes_kind_is_sent_whole()
    {
        var patch = MergePatches.Diff(JsonNode.Parse("""{"a":{"b":1},"c":"s"}"""), JsonNode.Parse("""{"a":"now a string","c":{"d":1}}"""))!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":"now a string","c":{"d":1}}"""), patch), patch.ToJsonString());
    }

    [Fact]
    public void From_nothing_the_patch_is_the_desired_document_and_equal_documents_need_none()
    {
        var desired = JsonNode.Parse("""{"phase":"Pending","attempts":0}""");

        Assert.True(JsonNode.DeepEquals(desired, MergePatches.Diff(null, desired)));
        Assert.Null(MergePatches.Diff(JsonNode.Parse("""{"x":[1,{"y":null}]}"""), JsonNode.Parse("""{"x":[1,{"y":null}]}""")));
    }

    [Fact]
    public void The_patch_does_not_share_nodes_with_the_desired_document()
    {
        var desired = JsonNode.Parse("""{"a":{"b":[1]}}""")!;
        var patch = MergePatches.Diff(JsonNode.Parse("{}"), desired)!;

        patch["a"]!["b"]!.AsArray().Add(2);

        Assert.Single(desired["a"]!["b"]!.AsArray());
    }

    [Fact]
    public void A_status_patch_without_a_resourceVersion_carries_only_the_status()
    {
        using var doc = JsonDocument.Parse(MergePatches.StatusPatch(JsonNode.Parse("""{"phase":"Running"}""")!, null));

        Assert.Equal("Running", doc.RootElement.GetProperty("status").GetProperty("phase").GetString());
        Assert.False(doc.RootElement.TryGetProperty("metadata", out _));
    }
}
