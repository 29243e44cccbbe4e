namespace Handoff.Core.Nodes;

/// <summary>
/// A node selector term (<c>v1.NodeSelectorTerm</c>): every requirement must hold (ANDed). A term with no
/// requirements matches no node, and so does a term Kubernetes cannot parse.
/// </summary>
public sealed record NodeSelectorTerm(IReadOnlyList<NodeSelectorRequirement> MatchExpressions, IReadOnlyList<NodeSelectorRequirement> MatchFields)
{
    /// <summary>A term of label requirements only.</summary>
    public static NodeSelectorTerm Of(params NodeSelectorRequirement[] matchExpressions) => new(matchExpressions, []);

    /// <summary>True when it has neither label nor field requirements.</summary>
    public bool IsEmpty => MatchExpressions.Count == 0 && MatchFields.Count == 0;

    /// <summary>The parse problems of its requirements, each prefixed with its path (<c>matchExpressions[0]: …</c>).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        for (var i = 0; i < MatchExpressions.Count; i++)
        {
            if (MatchExpressions[i].LabelProblem is { } problem)
            {
                problems.Add($"matchExpressions[{i}]: {problem}");
            }
        }

        for (var i = 0; i < MatchFields.Count; i++)
        {
            if (MatchFields[i].FieldProblem is { } problem)
            {
                problems.Add($"matchFields[{i}]: {problem}");
            }
        }

        return problems;
    }

    /// <summary>
    /// Whether <paramref name="node"/> satisfies every requirement. As in kube-scheduler, field requirements are
    /// not checked for a node without a name.
    /// </summary>
    public bool Matches(LabeledNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (IsEmpty)
        {
            return false;
        }

        foreach (var requirement in MatchExpressions)
        {
            if (!requirement.MatchesLabels(node.Labels))
            {
                return false;
            }
        }

        if (MatchFields.Count > 0)
        {
            // An unparsable field requirement makes the term match nothing, even for a node without a name.
            if (MatchFields.Any(static f => f.FieldProblem is not null))
            {
                return false;
            }

            if (node.Name.Length > 0 && !MatchFields.All(f => f.MatchesFields(node.Name)))
            {
                return false;
            }
        }

        return true;
    }
}
