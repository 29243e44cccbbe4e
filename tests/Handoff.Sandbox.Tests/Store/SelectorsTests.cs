using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>Label and field selectors, as the API server parses and matches them.</summary>
public sealed class SelectorsTests
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
}
