namespace Handoff.Core.Nodes;

/// <summary>A Node's taint (<c>v1.Taint</c>): pods that do not tolerate it are kept off (see <see cref="TaintEffect"/>).</summary>
/// <param name="Key">The taint's key.</param>
/// <param name="Value">Its value; empty when it has none.</param>
/// <param name="Effect">One of <see cref="TaintEffect"/>.</param>
public sealed record Taint(string Key, string Value, string Effect)
{
    /// <summary>Whether kube-scheduler's TaintToleration filter looks at it: NoSchedule and NoExecute taints.</summary>
    public bool KeepsPodsOff => Effect is TaintEffect.NoSchedule or TaintEffect.NoExecute;

    /// <summary><c>key=value:Effect</c>, as <c>kubectl taint</c> writes it.</summary>
    public override string ToString() => Value.Length == 0 ? $"{Key}:{Effect}" : $"{Key}={Value}:{Effect}";
}
