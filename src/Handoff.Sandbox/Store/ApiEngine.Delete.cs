using System.Globalization;
using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>
/// DELETE as the API server's generic registry does it: preconditions, graceful deletion (pods), the garbage
/// collector's finalizers for Orphan and Foreground propagation, other finalizers, namespaces' own finalizer.
/// </summary>
internal sealed partial class ApiEngine
{
    /// <summary>Set by the API server for <c>propagationPolicy: Orphan</c>; the garbage collector orphans the dependents, then removes it.</summary>
    public const string OrphanFinalizer = "orphan";

    /// <summary>Set for <c>propagationPolicy: Foreground</c>; the garbage collector removes it once the blocking dependents are gone.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>
    /// DELETE: returns the object and whether it is gone. It stays (with <c>deletionTimestamp</c>) while finalizers
    /// remain, while a pod terminates gracefully, and while a namespace is emptied.
    /// </summary>
    public (StoredObject Object, bool Gone) Delete(ResourceType t, string? ns, string name, DeleteOptions options)
    {
        StoredObject? marked = null;
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var current = TryGet(t, ns, name);
            if (current is null)
            {
                // This request wrote a grace period of 0 and someone else (the pod garbage collector) removed the
                // object before it could: the API server tolerates that race and answers with what it wrote.
                return marked is null ? throw NotFound(t, name) : (marked, true);
            }

            CheckPreconditions(t, current, options);
            if (options.DryRun)
            {
                return (current, false);
            }

            var result = KindRules.IsNamespace(t) && !ObjectMeta.IsDeleting(current.Node)
                ? StartNamespaceTermination(t, current, options)
                : KindRules.IsNamespace(t) && JsonNodes.At(current.Node, "spec", "finalizers") is JsonArray { Count: > 0 }
                    ? (current, false)
                    : DeleteObject(t, current, options, ref marked);
            if (result is { } done)
            {
                return done;
            }
        }

        throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
    }

    /// <summary>One attempt; null when the object changed meanwhile (<paramref name="marked"/>: what it wrote, when it wrote a grace period of 0 and then found the object changed).</summary>
    private (StoredObject, bool)? DeleteObject(ResourceType t, StoredObject current, DeleteOptions options, ref StoredObject? marked)
    {
        var doc = current.CloneNode();
        var meta = JsonNodes.Metadata(doc);
        var decision = GracefulDeletion.Decide(t, doc, options.GracePeriodSeconds, Time.GetUtcNow());
        if (decision == DeletionDecision.Pending)
        {
            // Finalizers cannot be changed through DeleteOptions once a graceful deletion has started.
            return (current, false);
        }

        SetGarbageCollectionFinalizers(meta, options.PropagationPolicy);
        var finalizersPending = meta["finalizers"] is JsonArray { Count: > 0 };
        if (decision == DeletionDecision.Immediate && !finalizersPending)
        {
            return DeleteNow(t, current);
        }

        if (decision == DeletionDecision.Immediate)
        {
            GracefulDeletion.MarkAsDeleting(meta, Time.GetUtcNow());
        }

        if (Commit(t, current, doc) is not { } updated)
        {
            return null;
        }

        // A grace period of 0 is written first (watchers see the deletionTimestamp), then the object goes.
        if (finalizersPending || GracefulDeletion.GracePeriod(updated.Node) > 0)
        {
            return (updated, false);
        }

        marked = updated;
        return DeleteNow(t, updated);
    }

    private (StoredObject, bool)? DeleteNow(ResourceType t, StoredObject current) =>
        CollectionOf(t).Delete(current.Key, current.ResourceVersion) is { } deleted ? (deleted, true) : null;

    /// <summary>
    /// The namespace registry's first delete: Terminating (phase and deletionTimestamp) whatever its finalizers; the
    /// namespace controller then empties it, removes the <c>kubernetes</c> finalizer from <c>spec.finalizers</c> and deletes it again.
    /// </summary>
    private (StoredObject, bool)? StartNamespaceTermination(ResourceType t, StoredObject current, DeleteOptions options)
    {
        if (current.Name is "default" or "kube-system" or "kube-public")
        {
            throw ApiException.Forbidden($"namespaces \"{current.Name}\" is forbidden: this namespace may not be deleted");
        }

        var doc = current.CloneNode();
        var meta = JsonNodes.Metadata(doc);
        meta["deletionTimestamp"] = Now();
        meta["deletionGracePeriodSeconds"] = 0;
        doc["status"] = new JsonObject { ["phase"] = "Terminating" };
        SetGarbageCollectionFinalizers(meta, options.PropagationPolicy);
        return Commit(t, current, doc) is { } marked ? (marked, false) : null;
    }

    /// <summary>Writes <paramref name="doc"/> unless it equals <paramref name="current"/>; null when current changed meanwhile.</summary>
    private StoredObject? Commit(ResourceType t, StoredObject current, JsonObject doc) =>
        JsonNode.DeepEquals(doc, current.Node) ? current : CollectionOf(t).Update(current.Key, current.ResourceVersion, doc, out _);

    private static void CheckPreconditions(ResourceType t, StoredObject current, DeleteOptions options)
    {
        if (options.PreconditionUid is { Length: > 0 } uid && uid != current.Uid)
        {
            throw ApiException.Conflict(t.GroupResource, t.Group, t.Plural, current.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
        }

        if (options.PreconditionResourceVersion is { Length: > 0 } rv && rv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiException.Conflict(t.GroupResource, t.Group, t.Plural, current.Name,
                $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.ResourceVersion}");
        }
    }

    /// <summary>
    /// The garbage collector's finalizers for the propagation policy: Orphan adds <see cref="OrphanFinalizer"/>,
    /// Foreground <see cref="ForegroundFinalizer"/>, Background removes both; no policy keeps what the object has.
    /// </summary>
    private static void SetGarbageCollectionFinalizers(JsonObject meta, string? policy)
    {
        if (policy is null)
        {
            return;
        }

        var before = (meta["finalizers"] as JsonArray)?.Select(JsonNodes.ScalarText).ToList() ?? [];
        var after = before.Where(f => f is not (OrphanFinalizer or ForegroundFinalizer)).ToList();
        switch (policy)
        {
            case "Orphan":
                after.Add(OrphanFinalizer);
                break;
            case "Foreground":
                after.Add(ForegroundFinalizer);
                break;
        }

        if (after.ToHashSet().SetEquals(before))
        {
            return;
        }

        if (after.Count == 0)
        {
            meta.Remove("finalizers");
        }
        else
        {
            meta["finalizers"] = new JsonArray([.. after.Select(f => (JsonNode)f)]);
        }
    }

    /// <summary>Whether an object being deleted still waits for a graceful termination (a pod whose kubelet has not finished).</summary>
    private static bool AwaitsGracefulTermination(ResourceType t, JsonObject obj) =>
        KindRules.IsPod(t) && GracefulDeletion.GracePeriod(obj) > 0;
}
