namespace Handoff.Core.Nodes;

/// <summary>kube-scheduler's TaintToleration filter, pure.</summary>
public static class TaintToleration
{
    /// <summary>
    /// What kube-scheduler says since 1.35 (and in 1.34 patch releases), without the taint: taint keys and values can be
    /// sensitive (kubernetes/kubernetes#134740), so the scheduler no longer puts them into pod statuses.
    /// </summary>
    public const string RedactedReason = "node(s) had untolerated taint(s)";

    /// <summary>Whether any of <paramref name="tolerations"/> tolerates <paramref name="taint"/>.</summary>
    public static bool Tolerated(IEnumerable<Toleration> tolerations, Taint taint)
    {
        ArgumentNullException.ThrowIfNull(tolerations);
        foreach (var toleration in tolerations)
        {
            if (toleration.ToleratesTaint(taint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The first of <paramref name="taints"/> (in the Node's order) that passes <paramref name="filter"/> (all when
    /// null) and that no toleration tolerates; null when every such taint is tolerated (FindMatchingUntoleratedTaint).
    /// </summary>
    public static Taint? FindUntolerated(IEnumerable<Taint> taints, IReadOnlyCollection<Toleration> tolerations, Func<Taint, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(taints);
        foreach (var taint in taints)
        {
            if ((filter is null || filter(taint)) && !Tolerated(tolerations, taint))
            {
                return taint;
            }
        }

        return null;
    }

    /// <summary>
    /// The filter of kube-scheduler's TaintToleration plugin: the first NoSchedule or NoExecute taint that no
    /// toleration tolerates, or null when the pod may go to the node (PreferNoSchedule never keeps it off).
    /// </summary>
    public static Taint? FindUntoleratedForScheduling(IEnumerable<Taint> taints, IReadOnlyCollection<Toleration> tolerations) =>
        FindUntolerated(taints, tolerations, static t => t.KeepsPodsOff);

    /// <summary>
    /// The reason counted in a Pending message for a node kept off by <paramref name="taint"/>:
    /// <c>node(s) had untolerated taint {key: value}</c>, kube-scheduler's wording up to 1.34 and the contract's.
    /// See <see cref="RedactedReason"/> for the wording without the taint.
    /// </summary>
    public static string Reason(Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        return $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}";
    }
}
