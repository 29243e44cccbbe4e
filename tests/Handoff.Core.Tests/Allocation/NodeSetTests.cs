using Handoff.Core.Allocation;
using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Allocation;

/// <summary>A node set is in ordinal name order whatever order it is given, and refuses a name twice.</summary>
public sealed class NodeSetTests
{
    private static NodeInfo Node(string name) => new(name, ResourceList.Of(("cpu", "1")));

    [Fact]
    public void Nodes_given_in_any_order_are_kept_in_ordinal_name_order()
    {
        var set = new NodeSet([Node("b"), Node("B"), Node("a-10"), Node("a-9")]);

        Assert.Equal(["B", "a-10", "a-9", "b"], set.Select(n => n.Name));
        Assert.Equal("a-9", set.Find("a-9")!.Name);
        Assert.Null(set.Find("c"));
    }

    [Fact]
    public void Nodes_given_in_order_keep_it()
    {
        var nodes = new[] { Node("a"), Node("b"), Node("c") };

        var set = new NodeSet(nodes);

        Assert.Equal(nodes, set);
        Assert.Same(nodes[1], set.Find("b"));
    }

    [Theory]
    [InlineData("a", "b", "a")]
    [InlineData("a", "a", "b")]
    public void A_name_given_twice_is_refused_in_any_order(string first, string second, string third)
    {
        var error = Assert.Throws<ArgumentException>(() => new NodeSet([Node(first), Node(second), Node(third)]));

        Assert.Contains("duplicate node name \"a\"", error.Message, StringComparison.Ordinal);
    }
}
