using Handoff.Core.Nodes;

namespace Handoff.Core.Tests.Nodes;

public sealed class NodeAffinityTests
{
    private static LabeledNode Node(string name, params (string Key, string Value)[] labels) =>
        new(name, labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal));

    private static NodeSelectorRequirement Requirement(string key, string op, params string[] values) => new(key, op, values);

    private static bool Matches(LabeledNode node, params NodeSelectorRequirement[] expressions) => NodeSelectorTerm.Of(expressions).Matches(node);

    private static readonly LabeledNode GpuNode = Node("gpu-1", ("zone", "a"), ("cores", "16"), ("accelerator", "a100"));

    [Theory]
    [InlineData("zone", "In", new[] { "a", "b" }, true)]
    [InlineData("zone", "In", new[] { "b" }, false)]
    [InlineData("missing", "In", new[] { "a" }, false)]
    [InlineData("zone", "NotIn", new[] { "b" }, true)]
    [InlineData("zone", "NotIn", new[] { "a" }, false)]
    [InlineData("missing", "NotIn", new[] { "a" }, true)]
    [InlineData("zone", "Exists", new string[0], true)]
    [InlineData("missing", "Exists", new string[0], false)]
    [InlineData("missing", "DoesNotExist", new string[0], true)]
    [InlineData("zone", "DoesNotExist", new string[0], false)]
    [InlineData("cores", "Gt", new[] { "8" }, true)]
    [InlineData("cores", "Gt", new[] { "16" }, false)]
    [InlineData("cores", "Lt", new[] { "17" }, true)]
    [InlineData("zone", "Gt", new[] { "1" }, false)] // a label that is not an integer never matches
    [InlineData("missing", "Lt", new[] { "1" }, false)]
    public void Label_requirements_match_as_kubernetes(string key, string op, string[] values, bool matches) =>
        Assert.Equal(matches, Matches(GpuNode, Requirement(key, op, values)));

    [Theory]
    [InlineData("cores", "Gt", new[] { "8", "9" }, "exactly one value is required for Gt")]
    [InlineData("cores", "Gt", new string[0], "exactly one value is required for Gt")]
    [InlineData("cores", "Lt", new[] { "x" }, "the value of Lt must be an integer")]
    [InlineData("cores", "Gt", new[] { "-1" }, "is not a label value")] // an integer, but not a label value
    [InlineData("zone", "In", new string[0], "values must be non-empty for In")]
    [InlineData("zone", "Exists", new[] { "a" }, "values must be empty for Exists")]
    [InlineData("zone", "Equals", new[] { "a" }, "operator \"Equals\" is not supported")]
    [InlineData("bad key!", "Exists", new string[0], "is not a qualified name")]
    [InlineData("zone", "In", new[] { "not valid" }, "is not a label value")]
    public void A_requirement_kubernetes_cannot_parse_makes_its_term_match_nothing(string key, string op, string[] values, string problem)
    {
        var requirement = Requirement(key, op, values);
        Assert.Contains(problem, requirement.LabelProblem, StringComparison.Ordinal);
        Assert.False(Matches(GpuNode, requirement));
        Assert.False(Matches(GpuNode, Requirement("zone", "In", "a"), requirement));
        Assert.Equal($"nodeSelectorTerms[0].matchExpressions[1]: {requirement.LabelProblem}", Assert.Single(NodeSelector.Of(NodeSelectorTerm.Of(Requirement("zone", "In", "a"), requirement)).Problems()));
    }

    [Fact]
    public void Requirements_of_a_term_are_anded_and_terms_ored()
    {
        var zoneA = Requirement("zone", "In", "a");
        var h100 = Requirement("accelerator", "In", "h100");
        Assert.True(Matches(GpuNode, zoneA, Requirement("cores", "Gt", "4")));
        Assert.False(Matches(GpuNode, zoneA, h100));
        Assert.True(NodeSelector.Of(NodeSelectorTerm.Of(h100), NodeSelectorTerm.Of(zoneA)).Matches(GpuNode));
        Assert.False(NodeSelector.Of(NodeSelectorTerm.Of(h100)).Matches(GpuNode));
    }

    [Fact]
    public void An_empty_term_and_a_selector_without_terms_match_nothing()
    {
        Assert.False(NodeSelectorTerm.Of().Matches(GpuNode));
        Assert.False(NodeSelector.Of().Matches(GpuNode));
        Assert.True(NodeSelector.Of(NodeSelectorTerm.Of(), NodeSelectorTerm.Of(Requirement("zone", "Exists"))).Matches(GpuNode));
        Assert.False(new RequiredNodeAffinity(new Dictionary<string, string>(), NodeSelector.Of()).Matches(GpuNode));
    }

    [Fact]
    public void Match_fields_select_by_node_name()
    {
        Assert.True(new NodeSelectorTerm([], [NodeSelectorRequirement.NameIs("gpu-1")]).Matches(GpuNode));
        Assert.False(new NodeSelectorTerm([], [NodeSelectorRequirement.NameIs("gpu-2")]).Matches(GpuNode));
        Assert.True(new NodeSelectorTerm([], [Requirement("metadata.name", "NotIn", "gpu-2")]).Matches(GpuNode));
        Assert.False(new NodeSelectorTerm([Requirement("zone", "In", "b")], [NodeSelectorRequirement.NameIs("gpu-1")]).Matches(GpuNode));

        // Another field reads as empty, as in kube-scheduler.
        Assert.False(new NodeSelectorTerm([], [Requirement("spec.unschedulable", "In", "false")]).Matches(GpuNode));
        Assert.True(new NodeSelectorTerm([], [Requirement("spec.unschedulable", "NotIn", "true")]).Matches(GpuNode));
    }

    [Fact]
    public void Match_fields_take_in_and_not_in_with_one_value_only()
    {
        var two = Requirement("metadata.name", "In", "gpu-1", "gpu-2");
        Assert.Equal("values of a field In must have exactly one element", two.FieldProblem);
        Assert.False(new NodeSelectorTerm([], [two]).Matches(GpuNode));
        var exists = Requirement("metadata.name", "Exists");
        Assert.Equal("operator \"Exists\" is not supported for fields (In, NotIn)", exists.FieldProblem);
        Assert.Equal(["matchFields[0]: operator \"Exists\" is not supported for fields (In, NotIn)"], new NodeSelectorTerm([], [exists]).Problems());
    }

    [Fact]
    public void Fields_are_not_checked_for_a_node_without_a_name() =>
        Assert.True(new NodeSelectorTerm([], [NodeSelectorRequirement.NameIs("gpu-1")]).Matches(Node("", ("zone", "a"))));

    [Fact]
    public void The_node_selector_map_and_the_required_affinity_must_both_hold()
    {
        var affinity = new RequiredNodeAffinity(
            new Dictionary<string, string> { ["zone"] = "a" },
            NodeSelector.Of(NodeSelectorTerm.Of(Requirement("accelerator", "In", "a100", "h100"))));
        Assert.True(affinity.Matches(GpuNode));
        Assert.Null(affinity.Filter(GpuNode));
        Assert.False(affinity.Matches(Node("cpu-1", ("zone", "a"))));
        Assert.False(affinity.Matches(Node("gpu-2", ("zone", "b"), ("accelerator", "a100"))));
        Assert.Equal("node(s) didn't match Pod's node affinity/selector", affinity.Filter(Node("cpu-1")));
        Assert.True(RequiredNodeAffinity.None.Matches(Node("any")));
    }
}
