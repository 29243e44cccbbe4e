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
    /// derived. Where the pod view says which functions' pods changed since the last pass's, the last pass's views are
    /// walked beside its listing (<see cref="KeptFunctionViews"/>), and a function whose object and pods are the ones
    /// its kept view was made of is not even looked up: a pass over 15,000 functions of which a few dozen changed
    /// spent ~10 ms looking each one up.
    /// </summary>
    public static IReadOnlyList<FunctionView> Build(ClusterSnapshot snapshot, PodView pods, TermState term, RetryPolicy retryDefaults)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(term);
        var functions = snapshot.Functions;
        var views = new List<FunctionView>(functions.Count);
        var now = new ObservedNow(snapshot.Now);
        var keys = snapshot.FunctionKeys.Count == functions.Count ? snapshot.FunctionKeys : null;
        var kept = term.KeptViews;
        var podsChanged = keys is not null && pods.Changes is { } changes && changes.Since == kept.PodBuild && kept.Views.Count > 0
            ? PodsChanged(changes.Owners, keys, term)
            : null;
        var keep = keys is null ? null : new FunctionView?[functions.Count];
        var old = 0;
        for (var at = 0; at < functions.Count; at++)
        {
            var f = functions[at];
            if (podsChanged is not null && KeptView(kept, ref old, keys![at], f) is { } same && !podsChanged[at])
            {
                views.Add(same);
                keep![at] = same;
                continue;
            }

            if (f.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            // The cache's key, which the view and the mapped function's id then share (a string a function, not two).
            var key = keys?[at] ?? ObjectKeys.Of(f.Metadata.NamespaceProperty, f.Metadata.Name);
            var view = ViewOf(f, key, pods, term, retryDefaults, now);
            views.Add(view);
            if (keep is not null)
            {
                keep[at] = view.Memo!.View;
            }
        }

        if (keep is not null)
        {
            kept.Keep(keys!, functions, keep, pods.BuildNumber);
        }
        else
        {
            kept.Clear();
        }

        return views;
    }

    // The function's view: its last one when made of the same object and pods without reading the time, else derived.
    private static FunctionView ViewOf(HandoffFunction f, string key, PodView pods, TermState term, RetryPolicy retryDefaults, ObservedNow now)
    {
        var memo = term.MemoOf(f, key);
        var (mapped, problem) = (memo.Mapped, memo.Problem?.Message);
        var own = pods.Of(f.Metadata.Uid);
        if (memo.View is { } known && ReferenceEquals(known.Object, f) && SamePods(known.Pods, own))
        {
            return known;
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
        return view;
    }

    // The last pass's view kept for this key when its listing held this very object (old: where the walk of the last
    // listing is; keys are compared as references first: the cache hands the same key strings from listing to listing).
    private static FunctionView? KeptView(KeptFunctionViews kept, ref int old, string key, HandoffFunction f)
    {
        var keys = kept.Keys;
        while (old < keys.Count && !ReferenceEquals(keys[old], key) && string.CompareOrdinal(keys[old], key) < 0)
        {
            old++;
        }

        if (old == keys.Count || !(ReferenceEquals(keys[old], key) || string.Equals(keys[old], key, StringComparison.Ordinal)))
        {
            return null;
        }

        var at = old++;
        return ReferenceEquals(kept.Items[at], f) ? kept.Views[at] : null;
    }

    // Which functions of this listing (by index) had their pods changed: the owners' keys, found in the ordered keys.
    private static bool[] PodsChanged(ISet<string> owners, IReadOnlyList<string> keys, TermState term)
    {
        var changed = new bool[keys.Count];
        foreach (var uid in owners)
        {
            if (term.KeyOfFunction(uid) is { } key && BinarySearch(keys, key) is var at && at >= 0)
            {
                changed[at] = true;
            }
        }

        return changed;
    }

    private static int BinarySearch(IReadOnlyList<string> keys, string key)
    {
        var (low, high) = (0, keys.Count - 1);
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            var order = string.CompareOrdinal(keys[mid], key);
            if (order == 0)
            {
                return mid;
            }

            (low, high) = order < 0 ? (mid + 1, high) : (low, mid - 1);
        }

        return -1;
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
