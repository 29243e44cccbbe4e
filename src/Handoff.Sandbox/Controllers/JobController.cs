using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Jobs;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// The Job controller (batch/v1), as kube-controller-manager's for NonIndexed Jobs: it keeps
/// <c>min(parallelism, completions - succeeded)</c> pods running from the template (the template's
/// <c>schedulerName</c> kept, so pods naming Handoff wait for it), owned by the Job (controller,
/// blockOwnerDeletion) and held by the <c>batch.kubernetes.io/job-tracking</c> finalizer until counted; it counts
/// finished pods into <c>succeeded</c>/<c>failed</c>, backs off after failures (10 s doubling, at most 6 min), and
/// ends the Job: <c>SuccessCriteriaMet</c> then <c>Complete</c> (with <c>completionTime</c>) once enough pods
/// succeeded and none is left running, or <c>FailureTarget</c> then <c>Failed</c> when failures exceed
/// <c>backoffLimit</c> or <c>activeDeadlineSeconds</c> passes (its pods are deleted first). It also does the
/// TTL-after-finished controller's work (<c>ttlSecondsAfterFinished</c>) and honours <c>suspend</c>.
/// </summary>
internal sealed class JobController : QueueController
{
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(6);
    private readonly TimeSpan _backoffBase;
    private readonly ResourceType _jobs;
    private readonly ResourceType _pods;
    private readonly EventRecorder _events;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastFailure = new(StringComparer.Ordinal);

    public JobController(ApiEngine engine, TimeSpan backoffBase)
        : base(engine)
    {
        _backoffBase = backoffBase;
        _jobs = engine.Builtin("batch", "jobs");
        _pods = engine.Builtin("", "pods");
        _events = new EventRecorder(engine, "job-controller");
    }

    protected override void OnChanged(StoreChange change)
    {
        var obj = change.Object;
        if (change.Collection.GroupResource == "jobs.batch")
        {
            if (change.Type != WatchEventType.Deleted)
            {
                Queue.Add("job:" + obj.Namespace + "/" + obj.Name);
            }
        }
        else if (change.Collection.GroupResource == "pods" && OwningJob(obj.Node) is { } owner)
        {
            var job = Engine.TryGet(_jobs, obj.Namespace, owner.Name);
            if (job is not null && job.Uid == owner.Uid && !ObjectMeta.IsDeleting(job.Node))
            {
                Queue.Add("job:" + obj.Namespace + "/" + owner.Name);
            }
            else if (change.Type != WatchEventType.Deleted && HasTrackingFinalizer(obj.Node))
            {
                Queue.Add("pod:" + obj.Namespace + "/" + obj.Name);
            }
        }
    }

    protected override void Resync()
    {
        foreach (var job in Engine.CollectionOf(_jobs).Snapshot())
        {
            Queue.Add("job:" + job.Namespace + "/" + job.Name);
        }
    }

    private static (string Name, string Uid)? OwningJob(JsonObject pod) =>
        (JsonNodes.At(pod, "metadata", "ownerReferences") as JsonArray ?? []).OfType<JsonObject>()
            .Where(r => JsonNodes.GetString(r, "kind") == "Job" && JsonNodes.GetString(r, "apiVersion") == "batch/v1" && r["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController)
            .Select(r => ((string Name, string Uid)?)(JsonNodes.GetString(r, "name") ?? "", JsonNodes.GetString(r, "uid") ?? ""))
            .FirstOrDefault();

    private static bool HasTrackingFinalizer(JsonObject pod) => ObjectMeta.HasFinalizer(pod, TrackingFinalizer);

    protected override void Reconcile(string key)
    {
        var (kind, path) = (key[..key.IndexOf(':', StringComparison.Ordinal)], key[(key.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        var (ns, name) = (path[..path.IndexOf('/', StringComparison.Ordinal)], path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        if (kind == "pod")
        {
            // The pod's Job is gone or going: nothing will count it any more.
            if (Engine.TryGet(_pods, ns, name) is { } orphan)
            {
                ReleasePod(orphan);
            }

            return;
        }

        if (Engine.TryGet(_jobs, ns, name) is { } job)
        {
            Sync(job);
        }
    }

    private void Sync(StoredObject job)
    {
        var key = "job:" + job.Namespace + "/" + job.Name;
        var pods = Engine.CollectionOf(_pods).List(new Query(job.Namespace, LabelSelector.Everything, FieldSelector.Everything)).Items
            .Where(p => OwningJob(p.Node) is { } owner && owner.Uid == job.Uid).ToList();
        if (ObjectMeta.IsDeleting(job.Node))
        {
            pods.Where(p => HasTrackingFinalizer(p.Node) && (PodPhase.IsTerminal(p.Node) || ObjectMeta.IsDeleting(p.Node))).ToList().ForEach(ReleasePod);
            return;
        }

        var spec = job.Node["spec"];
        var now = Engine.Time.GetUtcNow();
        var status = job.Node["status"] as JsonObject ?? [];
        var uncounted = pods.Where(p => PodPhase.IsTerminal(p.Node) && HasTrackingFinalizer(p.Node)).ToList();
        var succeeded = (JsonNodes.Int64(status["succeeded"]) ?? 0) + uncounted.Count(p => PodPhase.Of(p.Node) == "Succeeded");
        var newFailures = uncounted.Count(p => PodPhase.Of(p.Node) == "Failed");
        var failed = (JsonNodes.Int64(status["failed"]) ?? 0) + newFailures;
        if (newFailures > 0)
        {
            _lastFailure[job.Uid] = now;
        }

        var active = pods.Where(p => !PodPhase.IsTerminal(p.Node) && !ObjectMeta.IsDeleting(p.Node)).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var terminating = pods.Count(p => !PodPhase.IsTerminal(p.Node) && ObjectMeta.IsDeleting(p.Node));
        var finished = StatusConditions.Status(job.Node, "Complete") == "True" || StatusConditions.Status(job.Node, "Failed") == "True";
        var conditions = new JobConditions(job.Node, KubeTime.Timestamp(now));
        var startTime = KubeTime.ParseTime(status["startTime"]) ?? now;
        var suspended = spec?["suspend"] is JsonValue s && s.TryGetValue<bool>(out var isSuspended) && isSuspended;
        var created = 0;

        if (!finished)
        {
            var deadline = JsonNodes.Int64(spec?["activeDeadlineSeconds"]);
            var completions = JsonNodes.Int64(spec?["completions"]);
            (string Reason, string Message)? failure = conditions.Has("FailureTarget") ? conditions.Reason("FailureTarget")
                : deadline is { } d && now - startTime >= TimeSpan.FromSeconds(d) ? ("DeadlineExceeded", "Job was active longer than specified deadline")
                : failed > (JsonNodes.Int64(spec?["backoffLimit"]) ?? 6) ? ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
                : null;
            if (failure is { } found)
            {
                var (reason, message) = found;
                if (conditions.Set("FailureTarget", reason, message))
                {
                    _events.Record(job, "batch/v1", "Job", "Warning", reason, message);
                }

                terminating += DeletePods(job, active);
                active.Clear();
                if (terminating == 0)
                {
                    conditions.Set("Failed", reason, message);
                }
            }
            else if (completions is { } c ? succeeded >= c : succeeded > 0 && active.Count == 0)
            {
                conditions.Set("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods");
                terminating += DeletePods(job, active);
                active.Clear();
                if (terminating == 0)
                {
                    conditions.Set("Complete", "CompletionsReached", "Reached expected number of succeeded pods");
                    status["completionTime"] = KubeTime.Timestamp(now);
                    _events.Record(job, "batch/v1", "Job", "Normal", "Completed", "Job completed");
                }
            }
            else if (suspended)
            {
                if (conditions.Set("Suspended", "JobSuspended", "Job suspended"))
                {
                    _events.Record(job, "batch/v1", "Job", "Normal", "Suspended", "Job suspended");
                }

                terminating += DeletePods(job, active);
                active.Clear();
            }
            else
            {
                if (conditions.Has("Suspended"))
                {
                    conditions.Set("Suspended", "JobResumed", "Job resumed", "False");
                }

                var parallelism = JsonNodes.Int64(spec?["parallelism"]) ?? 1;
                var wanted = completions is { } n ? Math.Min(parallelism, n - succeeded) : succeeded > 0 ? 0 : parallelism;
                if (active.Count > wanted)
                {
                    terminating += DeletePods(job, active.Skip((int)Math.Max(0, wanted)).ToList());
                    active = [.. active.Take((int)Math.Max(0, wanted))];
                }
                else if (active.Count < wanted && Backoff(job.Uid, failed, now) is var wait && wait > TimeSpan.Zero)
                {
                    Queue.AddAfter(key, wait);
                }
                else
                {
                    for (var i = active.Count; i < wanted; i++)
                    {
                        CreatePod(job);
                        created++;
                    }
                }

                if (deadline is { } limit)
                {
                    Queue.AddAfter(key, startTime + TimeSpan.FromSeconds(limit) - now);
                }
            }
        }

        WriteStatus(job, status, conditions, startTime, active.Count + created,
            active.Count(p => StatusConditions.Status(p.Node, "Ready") == "True"), terminating, succeeded, failed);
        uncounted.ForEach(ReleasePod);
        if (conditions.Finished && JsonNodes.Int64(spec?["ttlSecondsAfterFinished"]) is { } ttl)
        {
            ExpireAfterFinished(job, conditions, ttl, now, key);
        }
    }

    /// <summary>10 s doubling per failure (SandboxOptions.JobBackoffBase), at most 6 minutes, from the last failure.</summary>
    private TimeSpan Backoff(string uid, long failed, DateTimeOffset now)
    {
        if (failed == 0 || !_lastFailure.TryGetValue(uid, out var last))
        {
            return TimeSpan.Zero;
        }

        var delay = TimeSpan.FromTicks((long)Math.Min(MaxBackoff.Ticks, _backoffBase.Ticks * Math.Pow(2, Math.Min(failed - 1, 30))));
        return last + delay - now;
    }

    private void CreatePod(StoredObject job)
    {
        var template = JsonNodes.At(job.Node, "spec", "template") as JsonObject ?? [];
        var templateMeta = template["metadata"] as JsonObject;
        var meta = new JsonObject
        {
            ["generateName"] = job.Name + "-",
            ["labels"] = templateMeta?["labels"]?.DeepClone(),
            ["annotations"] = templateMeta?["annotations"]?.DeepClone(),
            ["finalizers"] = new JsonArray(TrackingFinalizer),
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "batch/v1",
                ["kind"] = "Job",
                ["name"] = job.Name,
                ["uid"] = job.Uid,
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            }),
        };
        var pod = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = meta, ["spec"] = template["spec"]?.DeepClone() };
        var created = Engine.Create(_pods, job.Namespace, pod, WriteOptions.Internal, []);
        _events.Record(job, "batch/v1", "Job", "Normal", "SuccessfulCreate", "Created pod: " + created.Name);
    }

    /// <summary>Deletes the pods (gracefully); returns how many are now terminating rather than gone.</summary>
    private int DeletePods(StoredObject job, IReadOnlyCollection<StoredObject> pods)
    {
        var terminating = 0;
        foreach (var pod in pods)
        {
            try
            {
                var (_, gone) = Engine.Delete(_pods, pod.Namespace, pod.Name, DeleteOptions.Background with { PreconditionUid = pod.Uid });
                terminating += gone ? 0 : 1;
                _events.Record(job, "batch/v1", "Job", "Normal", "SuccessfulDelete", "Deleted pod: " + pod.Name);
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
            }
        }

        return terminating;
    }

    private void ReleasePod(StoredObject pod) =>
        Engine.Mutate(_pods, pod.Namespace, pod.Name, doc => ObjectMeta.RemoveFinalizer(doc, TrackingFinalizer), uid: pod.Uid);

    private void WriteStatus(StoredObject job, JsonObject previous, JobConditions conditions, DateTimeOffset startTime, int active, int ready, int terminating, long succeeded, long failed)
    {
        var status = (JsonObject)previous.DeepClone();
        status["startTime"] = KubeTime.Timestamp(startTime);
        status["active"] = active;
        status["ready"] = ready;
        status["terminating"] = terminating;
        status["succeeded"] = succeeded;
        status["failed"] = failed;
        status["uncountedTerminatedPods"] = new JsonObject();
        if (conditions.List.Count > 0)
        {
            status["conditions"] = conditions.List.DeepClone();
        }

        foreach (var zero in new[] { "active", "succeeded", "failed" })
        {
            // As the API server serializes them: zero counts are left out (omitempty).
            if (JsonNodes.Int64(status[zero]) == 0)
            {
                status.Remove(zero);
            }
        }

        if (JsonNode.DeepEquals(status, job.Node["status"]))
        {
            return;
        }

        Engine.Mutate(_jobs, job.Namespace, job.Name, doc =>
        {
            doc["status"] = status.DeepClone();
            return true;
        }, subresource: "status", uid: job.Uid);
    }

    /// <summary>The TTL-after-finished controller: the Job (and, by the garbage collector, its pods) goes this long after it finished.</summary>
    private void ExpireAfterFinished(StoredObject job, JobConditions conditions, long ttl, DateTimeOffset now, string key)
    {
        var finishedAt = conditions.TransitionTime("Complete") ?? conditions.TransitionTime("Failed") ?? now;
        var remaining = finishedAt + TimeSpan.FromSeconds(ttl) - now;
        if (remaining > TimeSpan.Zero)
        {
            Queue.AddAfter(key, remaining);
            return;
        }

        try
        {
            Engine.Delete(_jobs, job.Namespace, job.Name, DeleteOptions.Background with { PreconditionUid = job.Uid });
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
        }

        _lastFailure.TryRemove(job.Uid, out _);
    }
}
