namespace Handoff.Core.Nodes;

/// <summary>
/// The operators of label and node selector requirements (<c>metav1.LabelSelectorOperator</c>,
/// <c>v1.NodeSelectorOperator</c>); <see cref="Gt"/> and <see cref="Lt"/> exist only in node selectors.
/// </summary>
public static class SelectorOperator
{
    /// <summary>The label is set to one of the values.</summary>
    public const string In = "In";

    /// <summary>The label is missing or set to none of the values.</summary>
    public const string NotIn = "NotIn";

    /// <summary>The label is set (no values).</summary>
    public const string Exists = "Exists";

    /// <summary>The label is missing (no values).</summary>
    public const string DoesNotExist = "DoesNotExist";

    /// <summary>The label, as an integer, is greater than the one value.</summary>
    public const string Gt = "Gt";

    /// <summary>The label, as an integer, is less than the one value.</summary>
    public const string Lt = "Lt";
}
