namespace Handoff.Core.Nodes;

/// <summary>The operators of a toleration (<c>v1.TolerationOperator</c>); empty means <see cref="Equal"/>.</summary>
public static class TolerationOperator
{
    /// <summary>The taint's value equals the toleration's (the default).</summary>
    public const string Equal = "Equal";

    /// <summary>Any value; with an empty key, any taint.</summary>
    public const string Exists = "Exists";

    /// <summary>
    /// The taint's value, as an integer, is less than the toleration's (Kubernetes 1.35, alpha feature
    /// TaintTolerationComparisonOperators); a value that is not an integer never matches.
    /// </summary>
    public const string Lt = "Lt";

    /// <summary>The taint's value, as an integer, is greater than the toleration's; see <see cref="Lt"/>.</summary>
    public const string Gt = "Gt";
}
