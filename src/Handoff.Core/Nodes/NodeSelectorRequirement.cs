namespace Handoff.Core.Nodes;

/// <summary>
/// One requirement of a node selector term (<c>v1.NodeSelectorRequirement</c>), on a node label
/// (<c>matchExpressions</c>) or a node field (<c>matchFields</c>). Immutable; validity is worked out once.
/// </summary>
public sealed record NodeSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    /// <summary>The one node field Kubernetes offers to <c>matchFields</c>.</summary>
    public const string NodeNameField = "metadata.name";

    private readonly string? _labelProblem = LabelRequirement.Problem(Key, Operator, Values, numericOperators: true);
    private readonly string? _fieldProblem = ParseFieldProblem(Operator, Values);

    public string Key { get; } = Key;

    /// <summary>One of <see cref="SelectorOperator"/>.</summary>
    public string Operator { get; } = Operator;

    public IReadOnlyList<string> Values { get; } = Values;

    /// <summary><c>key In (values…)</c>.</summary>
    public static NodeSelectorRequirement In(string key, params string[] values) => new(key, SelectorOperator.In, values);

    /// <summary><c>metadata.name In (name)</c>: the node named so.</summary>
    public static NodeSelectorRequirement NameIs(string name) => new(NodeNameField, SelectorOperator.In, [name]);

    /// <summary>
    /// Why Kubernetes cannot parse this as a label requirement (labels.NewRequirement: a qualified key, values
    /// that are label values, In/NotIn with values, Exists/DoesNotExist without, Gt/Lt with exactly one integer),
    /// or null. A term with such a requirement matches no node.
    /// </summary>
    public string? LabelProblem => _labelProblem;

    /// <summary>
    /// Why Kubernetes cannot parse this as a field requirement (only In and NotIn, each with exactly one value), or
    /// null. A field other than <see cref="NodeNameField"/> reads as empty, as kube-scheduler's field set does
    /// (the API server admits no other in a pod).
    /// </summary>
    public string? FieldProblem => _fieldProblem;

    /// <summary>Whether the node's labels satisfy it (false when <see cref="LabelProblem"/> is not null).</summary>
    public bool MatchesLabels(IReadOnlyDictionary<string, string> labels) =>
        _labelProblem is null && LabelRequirement.Matches(Key, Operator, Values, labels);

    /// <summary>Whether the node's fields satisfy it (false when <see cref="FieldProblem"/> is not null).</summary>
    public bool MatchesFields(string nodeName)
    {
        if (_fieldProblem is not null)
        {
            return false;
        }

        var field = Key == NodeNameField ? nodeName : "";
        var equal = string.Equals(field, Values[0], StringComparison.Ordinal);
        return Operator == SelectorOperator.In ? equal : !equal;
    }

    private static string? ParseFieldProblem(string op, IReadOnlyList<string> values) => op switch
    {
        SelectorOperator.In or SelectorOperator.NotIn when values.Count != 1 => $"values of a field {op} must have exactly one element",
        SelectorOperator.In or SelectorOperator.NotIn => null,
        _ => $"operator \"{op}\" is not supported for fields (In, NotIn)",
    };
}
