using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Lifecycle;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 4 of a pass (pure): each function that is not being deleted → its spec in Core's terms and the state of its
/// attempts (<see cref="FunctionLifecycle.Derive"/> over its pods and its status record). Deleted and deleting
/// functions are left out: their pods still hold capacity (step 3), but nothing new is started for them.
/// </summary>
public static class FunctionLifecycleStep
{
    public static IReadOnlyList<FunctionView> Build(
        ClusterSnapshot snapshot, PodView pods, Func<HandoffFunction, MappedFunction> map, RetryPolicy retryDefaults)
    {
        var views = new List<FunctionView>(snapshot.Functions.Count);
        foreach (var f in snapshot.Functions)
        {
            if (f.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            MappedFunction? mapped = null;
            string? problem = null;
            try
            {
                mapped = map(f);
            }
            catch (ManifestValidationException ex)
            {
                problem = ex.Message;
            }

            var record = FunctionView.RecordOf(f.Status);
            var own = pods.Of(f.Metadata.Uid);
            // Run for every function on every pass: the operator's policy is shared unless the function names its own,
            // and the attempts are copied without an iterator.
            var maxRetries = mapped?.MaxRetries ?? f.Spec?.MaxRetries ?? HandoffApi.DefaultMaxRetries;
            var retry = maxRetries == retryDefaults.MaxRetries ? retryDefaults : retryDefaults with { MaxRetries = maxRetries };
            var attempts = own.Count == 0 ? [] : new AttemptPod[own.Count];
            for (var i = 0; i < attempts.Length; i++)
            {
                attempts[i] = own[i].Attempt;
            }

            var state = FunctionLifecycle.Derive(record, attempts, retry, snapshot.Now);
            // The mapped function's id is the same key, kept between passes: the term's memos keyed by it share one string.
            views.Add(new FunctionView(f, mapped?.Id ?? ObjectKeys.Of(f.Metadata.NamespaceProperty, f.Metadata.Name), record, own, state)
            {
                Mapped = mapped,
                SpecProblem = problem,
            });
        }

        return views;
    }
}
