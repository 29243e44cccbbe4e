namespace Handoff.Sandbox.Store;

/// <summary>The parameters of a watch or list.</summary>
internal sealed record Query(string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public static Query All { get; } = new(null, LabelSelector.Everything, FieldSelector.Everything);

    public bool Matches(StoredObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) && Labels.Matches(JsonNodes.Labels(obj.Node)) && Fields.Matches(obj.Node);
}
