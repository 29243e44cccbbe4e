namespace Handoff.Core.Nodes;

/// <summary>
/// A pod's toleration (<c>v1.Toleration</c>). Empty strings stand for absent fields: an empty key matches every
/// key, an empty operator is <see cref="TolerationOperator.Equal"/>, an empty effect matches every effect.
/// </summary>
/// <param name="Key">The taint key it tolerates; empty for all (then the operator must be Exists).</param>
/// <param name="Operator">One of <see cref="TolerationOperator"/>, or empty.</param>
/// <param name="Value">The value compared with the taint's.</param>
/// <param name="Effect">The effect it tolerates; empty for all.</param>
/// <param name="TolerationSeconds">For NoExecute: how long a running pod stays after the taint appears; scheduling ignores it.</param>
public sealed record Toleration(string Key, string Operator, string Value, string Effect, long? TolerationSeconds = null)
{
    /// <summary>Tolerates every taint: empty key, Exists, every effect.</summary>
    public static Toleration Everything { get; } = new("", TolerationOperator.Exists, "", "");

    /// <summary>
    /// Whether this toleration tolerates <paramref name="taint"/>, exactly as k8s.io/api core/v1
    /// <c>Toleration.ToleratesTaint</c>: the effect matches (or is empty), the key matches (or is empty), and then
    /// by operator — Equal (or empty): the values are equal; Exists: any value; Lt/Gt: both values parse as
    /// 64-bit integers and the taint's is less/greater; any other operator: no.
    /// </summary>
    public bool ToleratesTaint(Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        if (Effect.Length > 0 && !string.Equals(Effect, taint.Effect, StringComparison.Ordinal))
        {
            return false;
        }

        if (Key.Length > 0 && !string.Equals(Key, taint.Key, StringComparison.Ordinal))
        {
            return false;
        }

        return Operator switch
        {
            "" or TolerationOperator.Equal => string.Equals(Value, taint.Value, StringComparison.Ordinal),
            TolerationOperator.Exists => true,
            TolerationOperator.Lt or TolerationOperator.Gt => CompareNumbers(taint.Value),
            _ => false,
        };
    }

    private bool CompareNumbers(string taintValue)
    {
        if (!KubernetesNames.TryParseInt64(Value, out var tolerationNumber) || !KubernetesNames.TryParseInt64(taintValue, out var taintNumber))
        {
            return false;
        }

        return Operator == TolerationOperator.Lt ? taintNumber < tolerationNumber : taintNumber > tolerationNumber;
    }
}
