namespace Handoff.Core.Nodes;

/// <summary>
/// A node selector (<c>v1.NodeSelector</c>, e.g. <c>requiredDuringSchedulingIgnoredDuringExecution</c>): its
/// terms are ORed. With no terms it matches no node.
/// </summary>
public sealed record NodeSelector(IReadOnlyList<NodeSelectorTerm> Terms)
{
    /// <summary>A selector of these terms.</summary>
    public static NodeSelector Of(params NodeSelectorTerm[] terms) => new(terms);

    /// <summary>Whether some term matches <paramref name="node"/>.</summary>
    public bool Matches(LabeledNode node)
    {
        foreach (var term in Terms)
        {
            if (term.Matches(node))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parse problems of its terms, with paths (<c>nodeSelectorTerms[1].matchFields[0]: …</c>).</summary>
    public IReadOnlyList<string> Problems() =>
        [.. Terms.SelectMany((term, i) => term.Problems().Select(problem => $"nodeSelectorTerms[{i}].{problem}"))];
}
