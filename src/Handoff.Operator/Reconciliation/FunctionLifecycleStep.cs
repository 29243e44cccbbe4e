using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 4 of a pass (pure): each function that is not being deleted → its spec in Core's terms and the state of its
/// attempts (<see cref="FunctionLifecycle.Derive(StatusRecord, IReadOnlyList{AttemptPod}, RetryPolicy, ObservedNow)"/>
/// over its pods and its status record). Deleted and deleting functions are left out: their pods still hold capacity
/// (step 3), but nothing new is started for them.
/// </summary>
public static class FunctionLifecycleStep
{
    /// <summary>
    /// The views, each function's spec from the term's memo — and its last view used again when this pass sees the same
    /// object (so the same generation and spec) and the same pods on the same nodes, and that view's state was derived
    /// without reading the time (<see cref="ObservedNow"/>): derived again, it would be the same. Only what changed is
    /// derived.
    /// </summary>
    public static IReadOnlyList<FunctionView> Build(ClusterSnapshot snapshot, PodView pods, TermState term, RetryPolicy retryDefaults)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(term);
        var views = new List<FunctionView>(snapshot.Functions.Count);
        var now = new ObservedNow(snapshot.Now);
        var keys = snapshot.FunctionKeys.Count == snapshot.Functions.Count ? snapshot.FunctionKeys : null;
        for (var at = 0; at < snapshot.Functions.Count; at++)
        {
            var f = snapshot.Functions[at];
            if (f.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            // The cache's key, which the view and the mapped function's id then share (a string a function, not two).
            var key = keys?[at] ?? ObjectKeys.Of(f.Metadata.NamespaceProperty, f.Metadata.Name);
            var memo = term.MemoOf(f, key);
            var (mapped, problem) = (memo.Mapped, memo.Problem?.Message);
            var own = pods.Of(f.Metadata.Uid);
            if (memo.View is { } known && ReferenceEquals(known.Object, f) && SamePods(known.Pods, own))
            {
                views.Add(known);
                continue;
            }

            var record = FunctionView.RecordOf(f.Status);
            // Run for every function whose object or pods changed: the operator's policy is shared unless the function
            // names its own, and the attempts are copied without an iterator.
            var maxRetries = mapped?.MaxRetries ?? f.Spec?.MaxRetries ?? HandoffApi.DefaultMaxRetries;
            var retry = maxRetries == retryDefaults.MaxRetries ? retryDefaults : retryDefaults with { MaxRetries = maxRetries };
            var attempts = own.Count == 0 ? [] : new AttemptPod[own.Count];
            for (var i = 0; i < attempts.Length; i++)
            {
                attempts[i] = own[i].Attempt;
            }

            now.Forget();
            var state = FunctionLifecycle.Derive(record, attempts, retry, now);
            var view = new FunctionView(f, mapped?.Id ?? key, record, own, state)
            {
                Mapped = mapped,
                SpecProblem = problem,
                Memo = memo,
            };
            memo.View = now.WasRead ? null : view;
            views.Add(view);
        }

        return views;
    }

    /// <summary>The same pods, as the same records on the same HandoffNodes holding the same cost (what a view is made of).</summary>
    private static bool SamePods(IReadOnlyList<ObservedPod> known, IReadOnlyList<ObservedPod> now)
    {
        if (known.Count != now.Count)
        {
            return false;
        }

        for (var i = 0; i < known.Count; i++)
        {
            var (a, b) = (known[i], now[i]);
            if (!ReferenceEquals(a, b) && (!ReferenceEquals(a.Pod, b.Pod) || a.HandoffNode != b.HandoffNode || !ReferenceEquals(a.Cost, b.Cost) || a.Attempt != b.Attempt))
            {
                return false;
            }
        }

        return true;
    }
}
