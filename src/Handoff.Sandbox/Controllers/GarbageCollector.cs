using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// The garbage collector, keyed by object uid, as kube-controller-manager's:
/// <list type="bullet">
/// <item>a dependent whose owners are all gone is deleted (Background, or as its own GC finalizers ask) through the
/// ordinary delete, so pods terminate gracefully; one with some owners left loses the references to the gone ones;</item>
/// <item>an owner deleted with <c>propagationPolicy: Orphan</c> (finalizer <c>orphan</c>) has its references removed
/// from every dependent, then the finalizer;</item>
/// <item>an owner deleted with <c>Foreground</c> (finalizer <c>foregroundDeletion</c>) has its dependents deleted
/// and keeps the finalizer until no dependent with <c>blockOwnerDeletion: true</c> remains.</item>
/// </list>
/// </summary>
internal sealed class GarbageCollector(ApiEngine engine) : QueueController(engine)
{
    protected override void OnChanged(StoreChange change)
    {
        var obj = change.Object;
        var owners = ObjectMeta.OwnerUids(obj.Node).ToList();
        if (change.Type == WatchEventType.Deleted)
        {
            // Its dependents may now be dangling; a foreground-deleting owner may now be unblocked.
            Queue.Add(obj.Uid);
            owners.ForEach(Queue.Add);
            return;
        }

        var previousOwners = change.Previous is null ? [] : ObjectMeta.OwnerUids(change.Previous.Node).ToList();
        if (owners.Count > 0 && !JsonNode.DeepEquals(JsonNodes.At(obj.Node, "metadata", "ownerReferences"), JsonNodes.At(change.Previous?.Node, "metadata", "ownerReferences")))
        {
            Queue.Add(obj.Uid);
            owners.Union(previousOwners).ToList().ForEach(Queue.Add);
        }

        if (ObjectMeta.HasFinalizer(obj.Node, ApiEngine.OrphanFinalizer) || ObjectMeta.HasFinalizer(obj.Node, ApiEngine.ForegroundFinalizer))
        {
            var finalizersChanged = !JsonNode.DeepEquals(JsonNodes.At(obj.Node, "metadata", "finalizers"), JsonNodes.At(change.Previous?.Node, "metadata", "finalizers"));
            if (ObjectMeta.IsDeleting(obj.Node) && (finalizersChanged || change.Previous is null || !ObjectMeta.IsDeleting(change.Previous.Node)))
            {
                Queue.Add(obj.Uid);
            }
        }
    }

    protected override void Reconcile(string uid)
    {
        if (Engine.Store.Locate(uid) is not { } found)
        {
            foreach (var dependent in Dependents(uid))
            {
                AttemptToDelete(dependent);
            }

            return;
        }

        var (collection, obj) = found;
        if (ObjectMeta.IsDeleting(obj.Node) && ObjectMeta.HasFinalizer(obj.Node, ApiEngine.OrphanFinalizer))
        {
            foreach (var dependent in Dependents(uid))
            {
                RemoveOwnerReferences(dependent, [uid]);
            }

            RemoveFinalizer(collection, obj, ApiEngine.OrphanFinalizer);
        }
        else if (ObjectMeta.IsDeleting(obj.Node) && ObjectMeta.HasFinalizer(obj.Node, ApiEngine.ForegroundFinalizer))
        {
            var dependents = Dependents(uid);
            foreach (var dependent in dependents)
            {
                AttemptToDelete(dependent);
            }

            if (!dependents.Any(d => BlocksOwnerDeletion(d.Object.Node, uid)))
            {
                RemoveFinalizer(collection, obj, ApiEngine.ForegroundFinalizer);
            }
        }

        AttemptToDelete((collection, obj));
    }

    /// <summary>The objects that still name <paramref name="ownerUid"/> as an owner.</summary>
    private List<(ResourceCollection Collection, StoredObject Object)> Dependents(string ownerUid) =>
        [.. Engine.Store.Dependents(ownerUid)
            .Select(d => (d.Collection, Object: d.Collection.Get(d.Key)))
            .Where(d => d.Object is not null && ObjectMeta.OwnerUids(d.Object.Node).Contains(ownerUid))
            .Select(d => (d.Collection, d.Object!))];

    /// <summary>Deletes a dependent whose owners are gone or being deleted in the foreground; drops references to gone owners otherwise.</summary>
    private void AttemptToDelete((ResourceCollection Collection, StoredObject Object) dependent)
    {
        var (collection, obj) = dependent;
        var owners = ObjectMeta.OwnerUids(obj.Node).ToList();
        if (owners.Count == 0 || ObjectMeta.IsDeleting(obj.Node) || Engine.TypeOf(collection) is not { } t)
        {
            return;
        }

        var dangling = new List<string>();
        var waiting = new List<string>();
        var solid = 0;
        foreach (var owner in owners)
        {
            switch (Engine.Store.ByUid(owner))
            {
                case null:
                    dangling.Add(owner);
                    break;
                case { } o when ObjectMeta.IsDeleting(o.Node) && ObjectMeta.HasFinalizer(o.Node, ApiEngine.ForegroundFinalizer):
                    waiting.Add(owner);
                    break;
                default:
                    solid++;
                    break;
            }
        }

        if (solid > 0)
        {
            if (dangling.Count + waiting.Count > 0)
            {
                RemoveOwnerReferences(dependent, [.. dangling, .. waiting]);
            }

            return;
        }

        var policy = ObjectMeta.HasFinalizer(obj.Node, ApiEngine.OrphanFinalizer) ? "Orphan"
            : (waiting.Count > 0 && Engine.Store.Dependents(obj.Uid).Count > 0) || ObjectMeta.HasFinalizer(obj.Node, ApiEngine.ForegroundFinalizer) ? "Foreground"
            : "Background";
        try
        {
            Engine.Delete(t, obj.Namespace.Length > 0 ? obj.Namespace : null, obj.Name, new DeleteOptions(policy, PreconditionUid: obj.Uid));
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Gone or replaced meanwhile.
        }
    }

    private void RemoveOwnerReferences((ResourceCollection Collection, StoredObject Object) dependent, IReadOnlyCollection<string> ownerUids) =>
        Edit(dependent.Collection, dependent.Object, doc => ObjectMeta.RemoveOwnerReferences(doc, ownerUids));

    private void RemoveFinalizer(ResourceCollection collection, StoredObject obj, string finalizer) =>
        Edit(collection, obj, doc => ObjectMeta.RemoveFinalizer(doc, finalizer));

    private void Edit(ResourceCollection collection, StoredObject obj, Func<JsonObject, bool> edit)
    {
        if (Engine.TypeOf(collection) is { } t)
        {
            Engine.Mutate(t, obj.Namespace.Length > 0 ? obj.Namespace : null, obj.Name, edit, uid: obj.Uid);
        }
    }

    private static bool BlocksOwnerDeletion(JsonObject dependent, string ownerUid) =>
        JsonNodes.At(dependent, "metadata", "ownerReferences") is JsonArray refs &&
        refs.Any(r => JsonNodes.GetString(r, "uid") == ownerUid && r?["blockOwnerDeletion"] is JsonValue v && v.TryGetValue<bool>(out var b) && b);
}
