namespace Handoff.Core.Lifecycle;

/// <summary>
/// The pod failure reasons the kubelet sets when it refuses a pod at admission (pkg/kubelet/lifecycle): the pod never
/// ran, so Handoff places it again without using up an attempt — at most <see cref="MaxInARow"/> times in a row.
/// </summary>
public static class KubeletRejections
{
    /// <summary>Re-placements after consecutive rejections of one attempt before the function fails with <c>NodeRejected</c>.</summary>
    public const int MaxInARow = 5;

    /// <summary>
    /// How long after its <paramref name="inARow"/>th rejection in a row an attempt waits before it is placed again: 1 s
    /// doubling (kube-scheduler backs pods off alike), so a node that keeps refusing is not hammered.
    /// </summary>
    public static TimeSpan Backoff(int inARow) => new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(16)).For(inARow);

    /// <summary>
    /// <c>OutOfcpu</c>, <c>OutOfmemory</c>, <c>OutOf&lt;resource&gt;</c>, <c>OutOfpods</c>, <c>UnexpectedAdmissionError</c>,
    /// <c>NodeAffinity</c>, and an untolerated taint: the kubelet says <c>TaintToleration</c> (the contract's <c>Taint</c>
    /// is accepted too), plus the older <c>NodeName</c> / <c>NodeSelectorMismatching</c>.
    /// </summary>
    public static bool IsRejection(string? podReason) =>
        podReason is not null && (podReason.StartsWith("OutOf", StringComparison.Ordinal)
            || podReason is "UnexpectedAdmissionError" or "NodeAffinity" or "TaintToleration" or "Taint" or "NodeName" or "NodeSelectorMismatching");
}
