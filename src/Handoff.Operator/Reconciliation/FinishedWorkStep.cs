using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>The operator-wide defaults of <c>spec.podGC</c> and <c>spec.ttlSecondsAfterFinished</c>.</summary>
public sealed record FinishedWorkDefaults(string PodGC, int? TtlSecondsAfterFinished)
{
    public static FinishedWorkDefaults Of(OperatorOptions options) => new(options.DefaultPodGC, options.DefaultTtlSecondsAfterFinished);
}

/// <summary>A finished function's pod to delete under its podGC policy.</summary>
public sealed record PodToCollect(FunctionView Function, ObservedPod Pod, string Policy);

/// <summary>
/// What step 4b decided: the pods to collect, the functions whose TTL ran out (to delete), the functions the rest of
/// the pass looks at (<see cref="InPass"/>: unfinished ones and the finished ones they depend on), the finished ones it
/// only reports (<see cref="SetAside"/>), and when the next TTL runs out.
/// </summary>
public sealed record FinishedWork(
    IReadOnlyList<FunctionView> InPass, IReadOnlyList<FunctionView> SetAside, IReadOnlyList<PodToCollect> Pods,
    IReadOnlyList<FunctionView> Expired, DateTimeOffset? NextExpiry);

/// <summary>
/// Step 4b of a pass (pure): finished work (api.md "Finished work"). Only a function whose outcome is recorded in its
/// status (the status says Succeeded or Failed, and no pod says otherwise) counts as finished here: its record is what
/// speaks for it once its pods are gone (<see cref="FunctionLifecycle"/>), so a pod is never collected before the
/// result it carries is in the status, and a collected function is never run again.
/// <list type="bullet">
/// <item><b>podGC</b> (<c>spec.podGC</c>, else the operator's default): <c>OnCompletion</c> deletes the finished
/// function's terminal pods, <c>OnSuccess</c> only those of a Succeeded one, <c>Never</c> none. Live pods are never
/// collected.</item>
/// <item><b>TTL</b> (<c>spec.ttlSecondsAfterFinished</c>, else the default; none = kept): the function is deleted at
/// <c>status.completionTime</c> + TTL — but not while an unfinished function names it in <c>args</c> or
/// <c>collocateWith</c>: such a function still needs its result (a retry of it is handed the result again), so the
/// deletion waits until every one of them is finished too.</item>
/// <item>The rest of the pass (dependencies, scheduling) looks only at unfinished functions and the finished ones they
/// name; every other finished function is set aside: its status is only checked against its recorded outcome.</item>
/// </list>
/// </summary>
public static class FinishedWorkStep
{
    public static FinishedWork Decide(IReadOnlyList<FunctionView> functions, FinishedWorkDefaults defaults, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(defaults);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var anyFinished = false;
        foreach (var f in functions)
        {
            if (!f.State.IsTerminal)
            {
                AddReferencesOf(f, needed);
            }
            else
            {
                anyFinished |= IsRecordedFinished(f);
            }
        }

        if (!anyFinished)
        {
            // Nothing finished: every function is in the pass, as it is, and there is nothing to collect.
            return new FinishedWork(functions, [], [], [], null);
        }

        var inPass = new List<FunctionView>(functions.Count);
        var setAside = new List<FunctionView>();
        var pods = new List<PodToCollect>();
        var expired = new List<FunctionView>();
        DateTimeOffset? next = null;
        foreach (var f in functions)
        {
            if (!IsRecordedFinished(f))
            {
                inPass.Add(f);
                continue;
            }

            var isNeeded = needed.Contains(f.Key);
            (isNeeded ? inPass : setAside).Add(f);
            var policy = f.Object.Spec?.PodGC ?? defaults.PodGC;
            if (policy == PodGCPolicies.OnCompletion || (policy == PodGCPolicies.OnSuccess && f.State is Succeeded))
            {
                pods.AddRange(f.Pods.Where(p => !p.Live && p.Pod.DeletionTimestamp is null).Select(p => new PodToCollect(f, p, policy)));
            }

            if ((f.Object.Spec?.TtlSecondsAfterFinished ?? defaults.TtlSecondsAfterFinished) is not { } ttl || f.Record.CompletionTime is not { } completed)
            {
                continue;
            }

            var expiry = completed + TimeSpan.FromSeconds(ttl);
            if (expiry > now)
            {
                next = next is null || expiry < next ? expiry : next;
            }
            else if (!isNeeded)
            {
                expired.Add(f);
            }
        }

        return new FinishedWork(inPass, setAside, pods, expired, next);
    }

    /// <summary>Finished, and recorded so in its status: what the record says stands once its pods are gone.</summary>
    public static bool IsRecordedFinished(FunctionView f) => f.State.IsTerminal && f.Record.Phase is { } recorded && recorded.IsTerminal();

    /// <summary>Adds the functions <paramref name="f"/> needs to <paramref name="needed"/>: its args and its collocateWith target (ids).</summary>
    private static void AddReferencesOf(FunctionView f, HashSet<string> needed)
    {
        // For every unfinished function on every pass: added one by one, no iterator.
        if (f.Mapped is { } mapped)
        {
            for (var i = 0; i < mapped.Args.Count; i++)
            {
                needed.Add(mapped.Args[i]);
            }

            if (mapped.Placement.CollocateWith is { } target)
            {
                needed.Add(target);
            }

            return;
        }

        var spec = f.Object.Spec;
        foreach (var arg in spec?.Args ?? [])
        {
            needed.Add(ObjectKeys.Of(f.Namespace, arg));
        }

        if (spec?.CollocateWith is { } collocate)
        {
            needed.Add(ObjectKeys.Of(f.Namespace, collocate));
        }
    }
}
