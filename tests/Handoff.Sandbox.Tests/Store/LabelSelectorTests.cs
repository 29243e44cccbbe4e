using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>Label selectors (equality- and set-based) as the API server parses and matches them.</summary>
public sealed class LabelSelectorTests
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
}
