namespace Handoff.Core.Nodes;

/// <summary>A node as selectors see it: its name (the <c>metadata.name</c> field) and its labels.</summary>
public sealed record LabeledNode(string Name, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>A node with a name and no labels.</summary>
    public static LabeledNode Named(string name) => new(name, new Dictionary<string, string>(StringComparer.Ordinal));
}
