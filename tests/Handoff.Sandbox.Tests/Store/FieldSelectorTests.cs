using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>Field selectors and malformed selectors: 400 with the API server's message.</summary>
public sealed class FieldSelectorTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Malformed_selectors_are_400s()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => LabelSelector.Parse("a in 1")).Code);
        var pods = BuiltinTypes.All.Single(t => t.Plural == "pods" && t.Group.Length == 0);
        Assert.Equal("field label not supported: spec.containers", Assert.Throws<ApiException>(() => FieldSelector.Parse("spec.containers=x", pods)).Message);
        Assert.True(FieldSelector.Parse("spec.nodeName=,status.phase!=Failed", pods).Matches(Obj("""{"status":{"phase":"Pending"}}""")));
    }
}
