namespace Handoff.Core.Nodes;

/// <summary>
/// One expression of a label selector (<c>metav1.LabelSelectorRequirement</c>): In, NotIn, Exists or
/// DoesNotExist (see <see cref="SelectorOperator"/>). Immutable; validity is worked out once.
/// </summary>
public sealed record LabelSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    private readonly string? _problem = LabelRequirement.Problem(Key, Operator, Values, numericOperators: false);

    public string Key { get; } = Key;

    /// <summary>One of In, NotIn, Exists, DoesNotExist.</summary>
    public string Operator { get; } = Operator;

    public IReadOnlyList<string> Values { get; } = Values;

    /// <summary>Why Kubernetes rejects it (LabelSelectorAsSelector), or null.</summary>
    public string? Problem => _problem;

    /// <summary>Whether <paramref name="labels"/> satisfy it; false when it is invalid.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        _problem is null && LabelRequirement.Matches(Key, Operator, Values, labels);
}
