using Handoff.Core.Nodes;

namespace Handoff.Core.Tests.Nodes;

public sealed class LabelSelectorTests
{
    private static Dictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    [Fact]
    public void The_empty_selector_matches_everything_and_an_absent_one_nothing()
    {
        Assert.True(LabelSelector.Everything.Matches(Labels()));
        Assert.True(LabelSelector.Matches(LabelSelector.Everything, Labels(("team", "a"))));
        Assert.False(LabelSelector.Matches(null, Labels(("team", "a"))));
    }

    [Fact]
    public void Match_labels_and_expressions_must_all_hold()
    {
        var selector = new LabelSelector(
            Labels(("team", "research")),
            [new("env", SelectorOperator.In, ["dev", "test"]), new("frozen", SelectorOperator.DoesNotExist, [])]);
        Assert.True(selector.IsValid);
        Assert.True(selector.Matches(Labels(("team", "research"), ("env", "dev"))));
        Assert.False(selector.Matches(Labels(("team", "research"), ("env", "prod"))));
        Assert.False(selector.Matches(Labels(("team", "research"), ("env", "dev"), ("frozen", "true"))));
        Assert.False(selector.Matches(Labels(("env", "dev"))));
        Assert.True(new LabelSelector(Labels(), [new("env", SelectorOperator.NotIn, ["prod"])]).Matches(Labels()));
        Assert.True(new LabelSelector(Labels(), [new("env", SelectorOperator.Exists, [])]).Matches(Labels(("env", ""))));
    }

    [Fact]
    public void An_invalid_selector_says_why_and_matches_nothing()
    {
        var selector = new LabelSelector(
            Labels(("team", "not valid")),
            [new("cores", SelectorOperator.Gt, ["4"]), new("env", SelectorOperator.In, [])]);
        Assert.False(selector.IsValid);
        Assert.Equal(
            [
                "matchLabels[team]: team: value \"not valid\" is not a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)",
                "matchExpressions[0]: cores: operator \"Gt\" is not supported (In, NotIn, Exists, DoesNotExist)",
                "matchExpressions[1]: env: values must be non-empty for In",
            ],
            selector.Problems);
        Assert.False(selector.Matches(Labels(("team", "not valid"), ("cores", "8"), ("env", "x"))));
    }

    [Fact]
    public void Qualified_keys_are_accepted()
    {
        var selector = LabelSelector.ForLabels(Labels(("kubernetes.io/metadata.name", "team-a")));
        Assert.True(selector.IsValid);
        Assert.True(selector.Matches(Labels(("kubernetes.io/metadata.name", "team-a"))));
    }
}
