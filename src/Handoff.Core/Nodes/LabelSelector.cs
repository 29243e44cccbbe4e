namespace Handoff.Core.Nodes;

/// <summary>
/// A label selector (<c>metav1.LabelSelector</c>), e.g. a HandoffQueue's <c>namespaceSelector</c>: every
/// <c>matchLabels</c> entry equal and every <c>matchExpressions</c> entry satisfied. The empty selector
/// (<see cref="Everything"/>) matches everything; an absent (null) one matches nothing, as
/// <c>metav1.LabelSelectorAsSelector</c> has it — a field that defaults to "all" passes <see cref="Everything"/>.
/// An invalid selector matches nothing; <see cref="Problems"/> says why.
/// </summary>
public sealed record LabelSelector(IReadOnlyDictionary<string, string> MatchLabels, IReadOnlyList<LabelSelectorRequirement> MatchExpressions)
{
    private readonly IReadOnlyList<string> _problems = FindProblems(MatchLabels, MatchExpressions);

    /// <summary>The empty selector: matches every label set.</summary>
    public static LabelSelector Everything { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal), []);

    public IReadOnlyDictionary<string, string> MatchLabels { get; } = MatchLabels;

    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; } = MatchExpressions;

    /// <summary>A selector of <c>matchLabels</c> only.</summary>
    public static LabelSelector ForLabels(IReadOnlyDictionary<string, string> matchLabels) => new(matchLabels, []);

    /// <summary>
    /// Why Kubernetes would reject it, each with its path (<c>matchLabels[team]: …</c>,
    /// <c>matchExpressions[0]: …</c>); empty when valid.
    /// </summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>True when <see cref="Problems"/> is empty.</summary>
    public bool IsValid => _problems.Count == 0;

    /// <summary>Whether <paramref name="labels"/> satisfy the selector; false when it is invalid.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!IsValid)
        {
            return false;
        }

        foreach (var (key, value) in MatchLabels)
        {
            if (!labels.TryGetValue(key, out var label) || !string.Equals(label, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var requirement in MatchExpressions)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="selector"/>'s verdict; a null selector matches nothing.</summary>
    public static bool Matches(LabelSelector? selector, IReadOnlyDictionary<string, string> labels) => selector?.Matches(labels) ?? false;

    private static IReadOnlyList<string> FindProblems(IReadOnlyDictionary<string, string> matchLabels, IReadOnlyList<LabelSelectorRequirement> matchExpressions)
    {
        var problems = new List<string>();
        foreach (var (key, value) in matchLabels.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (LabelRequirement.Problem(key, SelectorOperator.In, [value], numericOperators: false) is { } problem)
            {
                problems.Add($"matchLabels[{key}]: {problem}");
            }
        }

        for (var i = 0; i < matchExpressions.Count; i++)
        {
            if (matchExpressions[i].Problem is { } problem)
            {
                problems.Add($"matchExpressions[{i}]: {problem}");
            }
        }

        return problems;
    }
}
