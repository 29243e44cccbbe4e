using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// The namespace controller: a Terminating namespace (marked so by its first DELETE) has everything in it deleted
/// (background propagation, so pods terminate gracefully); once it is empty its <c>kubernetes</c> finalizer is removed
/// from <c>spec.finalizers</c> and it is deleted again, which removes it (or leaves it to its metadata finalizers).
/// </summary>
internal sealed class NamespaceController : QueueController
{
    private const string KubernetesFinalizer = "kubernetes";
    private readonly ResourceType _namespaces;

    public NamespaceController(ApiEngine engine)
        : base(engine)
    {
        _namespaces = engine.Builtin("", "namespaces");
    }

    protected override void OnChanged(StoreChange change)
    {
        var obj = change.Object;
        if (change.Collection.GroupResource == "namespaces")
        {
            if (change.Type != WatchEventType.Deleted && ObjectMeta.IsDeleting(obj.Node))
            {
                Queue.Add(obj.Name);
            }
        }
        else if (change.Type == WatchEventType.Deleted && obj.Namespace.Length > 0 && IsTerminating(obj.Namespace))
        {
            Queue.Add(obj.Namespace);
        }
    }

    private bool IsTerminating(string ns) =>
        Engine.TryGet(_namespaces, null, ns) is { } found && ObjectMeta.IsDeleting(found.Node);

    protected override void Reconcile(string ns)
    {
        if (!IsTerminating(ns))
        {
            return;
        }

        var remaining = 0;
        foreach (var t in Engine.Registry.All.Where(r => r.Namespaced).DistinctBy(r => r.GroupResource))
        {
            foreach (var obj in Engine.CollectionOf(t).List(new Query(ns, LabelSelector.Everything, FieldSelector.Everything)).Items)
            {
                remaining++;
                if (ObjectMeta.IsDeleting(obj.Node))
                {
                    continue;
                }

                try
                {
                    Engine.Delete(t, ns, obj.Name, DeleteOptions.Background with { PreconditionUid = obj.Uid });
                }
                catch (ApiException e) when (e.Code is 404 or 409)
                {
                    // Gone or replaced meanwhile; its deletion event brings the namespace back here.
                }
            }
        }

        if (remaining == 0)
        {
            Finalize(ns);
        }
    }

    private void Finalize(string ns)
    {
        Engine.Mutate(_namespaces, null, ns, doc =>
        {
            if (JsonNodes.At(doc, "spec", "finalizers") is not JsonArray finalizers || !finalizers.Any(f => JsonNodes.ScalarText(f) == KubernetesFinalizer))
            {
                return false;
            }

            ((JsonObject)doc["spec"]!)["finalizers"] = new JsonArray([.. finalizers.Where(f => JsonNodes.ScalarText(f) != KubernetesFinalizer).Select(f => f?.DeepClone())]);
            return true;
        });
        try
        {
            Engine.Delete(_namespaces, null, ns, new DeleteOptions());
        }
        catch (ApiException e) when (e.Code == 404)
        {
        }
    }

    protected override void Resync()
    {
        foreach (var ns in Engine.CollectionOf(_namespaces).Snapshot())
        {
            if (ObjectMeta.IsDeleting(ns.Node))
            {
                Queue.Add(ns.Name);
            }
        }
    }
}
