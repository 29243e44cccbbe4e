namespace Handoff.Core.Nodes;

/// <summary>
/// What kube-scheduler's NodeAffinity filter requires of a node (component-helpers GetRequiredNodeAffinity): the
/// pod's <c>nodeSelector</c> (every label equal) and its required node affinity, both.
/// </summary>
/// <param name="NodeSelector">The <c>spec.nodeSelector</c> map; empty for none.</param>
/// <param name="Required">
/// <c>affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution</c>; null for none. A selector with no
/// terms matches no node, as in Kubernetes.
/// </param>
public sealed record RequiredNodeAffinity(IReadOnlyDictionary<string, string> NodeSelector, NodeSelector? Required)
{
    /// <summary>kube-scheduler's reason for a node that does not match (ErrReasonPod).</summary>
    public const string MismatchReason = "node(s) didn't match Pod's node affinity/selector";

    /// <summary>No requirement: every node matches.</summary>
    public static RequiredNodeAffinity None { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal), null);

    /// <summary>Whether <paramref name="node"/> has every label of <see cref="NodeSelector"/> and matches <see cref="Required"/>.</summary>
    public bool Matches(LabeledNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var (key, value) in NodeSelector)
        {
            if (!node.Labels.TryGetValue(key, out var label) || !string.Equals(label, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return Required?.Matches(node) ?? true;
    }

    /// <summary>The reason to count for <paramref name="node"/>, or null when it matches.</summary>
    public string? Filter(LabeledNode node) => Matches(node) ? null : MismatchReason;
}
