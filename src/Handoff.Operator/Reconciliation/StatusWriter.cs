using CommunityToolkit.HighPerformance.Buffers;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>What writing one status did.</summary>
public enum WriteResult
{
    /// <summary>The status already said that: nothing was sent.</summary>
    Unchanged,

    Written,

    /// <summary>The object changed since the pass read it (409 on the resourceVersion precondition), or is gone: the next pass reads it again.</summary>
    Stale,
}

/// <summary>
/// The I/O of step 9: statuses written as merge patches of what changed, each carrying the resourceVersion it was
/// computed from (a stale view never overwrites a newer status), only while this replica holds a fresh lease; Events for
/// states that lasted beyond the pass that first saw them.
/// </summary>
public sealed class StatusWriter(
    IKubernetes client, ApiStreams streams, ApiCalls api, ILeaseFence fence, ResourceCache<HandoffFunction> functions, ResourceCache<HandoffNode> handoffNodes,
    EventRecorder events, TermState term, TimeProvider time, ILogger<StatusWriter> logger)
{
    /// <summary>The HandoffQueue cache, told about the statuses written.</summary>
    public ResourceCache<HandoffQueue>? Queues { get; init; }

    /// <summary>
    /// Writes a HandoffQueue's status when it differs from what the queue shows (a merge patch of what changed, with the
    /// resourceVersion it was computed from).
    /// </summary>
    public async Task<WriteResult> WriteQueueAsync(HandoffQueue queue, QueueReport report, CancellationToken cancellationToken)
    {
        // A queue never reported on reads back with a default status (counts 0): diff against nothing, so 0 is written.
        var current = queue.Status?.Conditions is null ? null : queue.Status;
        var desired = new HandoffQueueStatus
        {
            Pending = report.Pending,
            Admitted = report.Admitted,
            Usage = report.Usage.ToDictionary(),
            Borrowed = report.Borrowed.ToDictionary(),
            ObservedGeneration = queue.Metadata.Generation,
            Conditions = StatusPatches.MergeConditions(
                current?.Conditions,
                [new HandoffCondition
                {
                    Type = ConditionTypes.Active,
                    Status = report.Active ? ConditionStatus.True : ConditionStatus.False,
                    Reason = report.ActiveReason,
                    Message = report.ActiveMessage,
                }],
                time.GetUtcNow().UtcDateTime,
                queue.Metadata.Generation),
        };
        var rv = queue.Metadata.ResourceVersion;
        var patch = MergePatches.Diff(StatusPatches.ToJson(current), StatusPatches.ToJson(desired));
        if (patch is null)
        {
            return WriteResult.Unchanged;
        }

        fence.ThrowIfStale();
        var (_, updated) = await api.RunAsync(
            "patch-queue-status",
            ct => client.CustomObjects.PatchClusterCustomObjectStatusAsync<HandoffQueue>(
                new V1Patch(MergePatches.StatusPatch(patch, rv), V1Patch.PatchType.MergePatch),
                HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, queue.Metadata.Name, cancellationToken: ct),
            cancellationToken);
        if (updated is null)
        {
            return WriteResult.Stale;
        }

        Queues?.Upsert(updated);
        Log.QueueStatus(logger, report.Name, report.Pending, report.Admitted, report.Usage.ToString());
        return WriteResult.Written;
    }

    /// <summary>
    /// True when the function's status shows <paramref name="report"/> (<see cref="FunctionStatusMatch"/>), or was
    /// found equal to it at its current resourceVersion by the JSON comparison: there is nothing to write. A pass asks
    /// this first, so that the functions whose status stands (most of them, in a long run) cost a comparison, not an
    /// asynchronous write.
    /// </summary>
    public bool IsWritten(FunctionView f, FunctionReport report) =>
        FunctionStatusMatch.Shows(f.Object.Status, report, f.Object.Metadata.Generation) ||
        (term.FunctionStatusChecked.TryGetValue(f.Key, out var checkedAt) &&
         checkedAt.ResourceVersion == f.Object.Metadata.ResourceVersion && checkedAt.Report == report);

    /// <summary>True when the report carries an Event not recorded for the function yet.</summary>
    public bool HasEventToRecord(FunctionView f, FunctionReport report) =>
        report.Event is { } ev && !(term.EventsRecorded.TryGetValue(f.Key, out var last) && last == ev);

    /// <summary>True when the HandoffNode's status was found or made equal to <paramref name="report"/> at its current resourceVersion.</summary>
    public bool IsWritten(HandoffNodeState node, NodeReport report) =>
        term.NodeStatusChecked.TryGetValue(node.Name, out var checkedAt) &&
        checkedAt.ResourceVersion == node.Object.Metadata.ResourceVersion && checkedAt.Report == report;

    /// <summary>True when the node report carries an Event not recorded for the HandoffNode yet.</summary>
    public bool HasEventToRecord(HandoffNodeState node, NodeReport report) =>
        report.Event is { } ev && !(term.NodeEventsRecorded.TryGetValue(node.Name, out var last) && last == ev);

    public async Task<WriteResult> WriteFunctionAsync(FunctionView f, FunctionReport report, CancellationToken cancellationToken)
    {
        var rv = f.Object.Metadata.ResourceVersion;
        if (IsWritten(f, report))
        {
            return WriteResult.Unchanged;
        }

        var current = f.Object.Status;
        var desired = ToStatus(report, current, f.Object.Metadata.Generation, time.GetUtcNow().UtcDateTime);
        using var patch = new ArrayPoolBufferWriter<byte>(1024);
        if (!FunctionStatusPatch.TryWrite(current, desired, rv, patch))
        {
            term.FunctionStatusChecked[f.Key] = (rv, report);
            return WriteResult.Unchanged;
        }

        fence.ThrowIfStale();
        var (result, updated) = await api.RunAsync(
            "patch-function-status",
            // The answer is decoded from its bytes as the functions' watch decodes a function: its template is the one kept.
            ct => streams.SendUtf8Async<HandoffFunction>(
                HttpMethod.Patch,
                $"apis/{HandoffApi.Group}/{HandoffApi.Version}/namespaces/{Uri.EscapeDataString(f.Namespace)}/{HandoffApi.FunctionPlural}/{Uri.EscapeDataString(f.Name)}/status",
                patch.WrittenMemory, "application/merge-patch+json", CacheTransforms.FunctionJson, ct),
            cancellationToken);
        if (updated is null)
        {
            Log.StatusStale(logger, f.Key, result.ToString());
            return WriteResult.Stale;
        }

        functions.Upsert(updated);
        if (!FunctionStatusMatch.Shows(updated.Status, report, updated.Metadata.Generation))
        {
            // Only what the field comparison cannot tell is remembered: the memo stays small.
            term.FunctionStatusChecked[f.Key] = (updated.Metadata.ResourceVersion, report);
        }
        else
        {
            term.FunctionStatusChecked.TryRemove(f.Key, out _);
        }

        Log.FunctionState(logger, f.Key, report.Phase.Name(), report.Reason ?? "", report.Node ?? "", report.Message ?? "");
        return WriteResult.Written;
    }

    /// <summary>
    /// Records the report's Event if the state already stood in the status before this pass (it lasted beyond the
    /// pass that first saw it) and the same Event was not recorded yet. Returns true when the Event is still to come
    /// (the state is new): the caller asks for another pass to confirm it.
    /// </summary>
    public async Task<bool> RecordEventIfLastingAsync(FunctionView f, FunctionReport report, CancellationToken cancellationToken)
    {
        if (!HasEventToRecord(f, report))
        {
            return false;
        }

        var ev = report.Event!;

        var status = f.Object.Status;
        var lasting = status?.Phase == report.Phase.Name() && StateReasonOf(status) == (report.Reason ?? Reasons.Scheduled);
        if (!lasting)
        {
            return true;
        }

        fence.ThrowIfStale();
        term.EventsRecorded[f.Key] = ev;
        await events.RecordAsync(f.Object, ev.Type, ev.Reason, ev.Message, cancellationToken);
        return false;
    }

    public async Task<WriteResult> WriteNodeAsync(HandoffNodeState node, NodeReport report, CancellationToken cancellationToken)
    {
        var hn = node.Object;
        var rv = hn.Metadata.ResourceVersion;
        if (IsWritten(node, report))
        {
            return WriteResult.Unchanged;
        }

        var current = hn.Status;
        var now = time.GetUtcNow().UtcDateTime;
        var desired = new HandoffNodeStatus
        {
            Allocated = new Dictionary<string, string>(report.AllocatedMap),
            Available = new Dictionary<string, string>(report.AvailableMap),
            Capacity = report.CapacityMap is null ? null : new Dictionary<string, string>(report.CapacityMap),
            External = report.ExternalMap is null ? null : new Dictionary<string, string>(report.ExternalMap),
            Functions = report.Functions,
            ObservedGeneration = hn.Metadata.Generation,
            Conditions = StatusPatches.MergeConditions(current?.Conditions, [Condition(report.Ready), Condition(report.Overcommitted)], now, hn.Metadata.Generation),
        };
        var patch = MergePatches.Diff(StatusPatches.ToJson(current), StatusPatches.ToJson(desired));
        if (patch is null)
        {
            term.NodeStatusChecked[node.Name] = (rv, report);
            return WriteResult.Unchanged;
        }

        fence.ThrowIfStale();
        var (_, updated) = await api.RunAsync(
            "patch-node-status",
            ct => client.CustomObjects.PatchClusterCustomObjectStatusAsync<HandoffNode>(
                new V1Patch(MergePatches.StatusPatch(patch, rv), V1Patch.PatchType.MergePatch),
                HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, node.Name, cancellationToken: ct),
            cancellationToken);
        if (updated is null)
        {
            return WriteResult.Stale;
        }

        handoffNodes.Upsert(updated);
        term.NodeStatusChecked[node.Name] = (updated.Metadata.ResourceVersion, report);
        return WriteResult.Written;
    }

    /// <summary>Records a discrete Event about a function (a fact, not a state: no confirmation pass) once per term.</summary>
    public async Task RecordOnceAsync(FunctionView f, EventReport ev, CancellationToken cancellationToken)
    {
        if (!term.DiscreteEventsRecorded.TryAdd((f.Object.Metadata.Uid ?? f.Key) + "|" + ev.Reason + "|" + ev.Message, true))
        {
            return;
        }

        fence.ThrowIfStale();
        await events.RecordAsync(f.Object, ev.Type, ev.Reason, ev.Message, cancellationToken);
    }

    /// <summary>Records an Event about a plain pod once per reason and message (kube-scheduler's FailedScheduling).</summary>
    public async Task RecordPodEventAsync(V1ObjectMeta pod, EventReport ev, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.Of(pod.NamespaceProperty ?? "", pod.Name);
        if (term.PodEventsRecorded.TryGetValue(key, out var last) && last == ev)
        {
            return;
        }

        fence.ThrowIfStale();
        term.PodEventsRecorded[key] = ev;
        await events.RecordAsync("Pod", pod, ev.Type, ev.Reason, ev.Message, cancellationToken, apiVersion: "v1");
    }

    /// <summary>Records a node's Warning Event once per reason and message (nodes' states last; no confirmation pass).</summary>
    public async Task RecordNodeEventAsync(HandoffNodeState node, NodeReport report, CancellationToken cancellationToken)
    {
        if (!HasEventToRecord(node, report))
        {
            return;
        }

        var ev = report.Event!;
        fence.ThrowIfStale();
        term.NodeEventsRecorded[node.Name] = ev;
        await events.RecordAsync(node.Object, ev.Type, ev.Reason, ev.Message, cancellationToken);
    }

    /// <summary>
    /// Reports an object the informers could not decode, once per UID and generation: a Warning Event, and a status that
    /// says so — written whole (JSON patch <c>replace /status</c>), so a value written by hand into the status that made
    /// the object undecodable is gone with it. A function becomes Failed (<c>InvalidObject</c>); a HandoffNode Ready=False.
    /// </summary>
    public async Task ReportInvalidAsync(InvalidObject invalid, CancellationToken cancellationToken)
    {
        var key = $"{invalid.Kind}/{invalid.Namespace}/{invalid.Name}/{invalid.Uid}/{invalid.Generation}";
        if (term.InvalidReported.ContainsKey(key))
        {
            return;
        }

        fence.ThrowIfStale();
        term.InvalidReported.TryAdd(key, true);
        var message = $"the operator cannot read this object: {invalid.Problem}";
        var meta = new V1ObjectMeta { Name = invalid.Name, NamespaceProperty = invalid.Namespace, Uid = invalid.Uid, ResourceVersion = invalid.ResourceVersion };
        await events.RecordAsync(invalid.Kind, meta, "Warning", Reasons.InvalidObject, message, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var condition = new HandoffCondition
        {
            Type = invalid.Kind == HandoffApi.NodeKind ? ConditionTypes.Ready : ConditionTypes.Completed,
            Status = invalid.Kind == HandoffApi.NodeKind ? ConditionStatus.False : ConditionStatus.True,
            Reason = Reasons.InvalidObject,
            Message = message,
            LastTransitionTime = StatusPatches.TruncateToSeconds(now),
        };
        object status = invalid.Kind == HandoffApi.NodeKind
            ? new HandoffNodeStatus { Conditions = [condition] }
            : new HandoffFunctionStatus { Phase = FunctionPhases.Failed, Message = message, Conditions = [condition] };
        var patch = new V1Patch(
            $$"""[{"op":"add","path":"/status","value":{{KubernetesJson.Serialize(status)}}}]""", V1Patch.PatchType.JsonPatch);
        try
        {
            await api.RunAsync(
                "patch-invalid-status",
                ct => invalid.Kind == HandoffApi.NodeKind
                    ? client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, invalid.Name, cancellationToken: ct)
                    : client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, HandoffApi.Group, HandoffApi.Version, invalid.Namespace, HandoffApi.FunctionPlural, invalid.Name, cancellationToken: ct),
                cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.UnprocessableEntity)
        {
            // The object breaks the current schema elsewhere (stored before the schema bounded it; an API server
            // without validation ratcheting refuses any write of it): the Event and the metric say it, and a retry
            // would be refused the same way.
        }
    }

    /// <summary>The API status a report stands for; conditions keep their lastTransitionTime unless their status changed.</summary>
    public static HandoffFunctionStatus ToStatus(FunctionReport r, HandoffFunctionStatus? current, long? generation, DateTime now) => new()
    {
        Phase = r.Phase.Name(),
        Node = r.Node,
        PodName = r.PodName,
        Attempts = r.Attempts,
        Result = r.Result,
        Message = r.Message,
        RetryAfter = r.RetryAfter?.UtcDateTime,
        QueuePosition = r.QueuePosition,
        StartTime = r.StartTime?.UtcDateTime,
        CompletionTime = r.CompletionTime?.UtcDateTime,
        ObservedGeneration = generation,
        Conditions = StatusPatches.MergeConditions(current?.Conditions, [Condition(r.DependenciesReady), Condition(r.Scheduled), Condition(r.Completed)], now, generation),
    };

    /// <summary>The reason of the state a status shows: its Completed reason when terminal, else the reason its phase is explained by.</summary>
    public static string? StateReasonOf(HandoffFunctionStatus status)
    {
        string? ReasonOf(string type) => status.Conditions?.FirstOrDefault(c => c.Type == type)?.Reason;
        return FunctionPhases.Parse(status.Phase) switch
        {
            FunctionPhase.Succeeded or FunctionPhase.Failed => ReasonOf(ConditionTypes.Completed),
            FunctionPhase.Waiting => ReasonOf(ConditionTypes.DependenciesReady),
            _ => ReasonOf(ConditionTypes.Scheduled),
        };
    }

    private static HandoffCondition Condition(ConditionReport c) => new()
    {
        Type = c.Type,
        Status = c.Status ? ConditionStatus.True : ConditionStatus.False,
        Reason = c.Reason,
        Message = c.Message,
    };
}
