using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// Establishes CustomResourceDefinitions (what the apiextensions server's naming and establishing controllers do):
/// serves their kinds, writes <c>acceptedNames</c>, <c>NamesAccepted</c>, <c>Established</c> and <c>storedVersions</c>;
/// a deleted CRD's kinds stop being served and their objects are dropped. Runs synchronously in the write that
/// created or changed the CRD, so a CRD is served as soon as its create returns (the emulator's choice: a real
/// server serves it a moment later, which clients wait for).
/// </summary>
internal sealed class CrdController : IDisposable
{
    private const string CrdResource = "customresourcedefinitions.apiextensions.k8s.io";
    private readonly ApiEngine _engine;
    private readonly ResourceType _crdType;

    public CrdController(ApiEngine engine)
    {
        _engine = engine;
        _crdType = engine.Builtin("apiextensions.k8s.io", "customresourcedefinitions");
    }

    public void Start() => _engine.Store.Changed += OnChanged;

    private void OnChanged(StoreChange change)
    {
        if (change.Collection.GroupResource != CrdResource)
        {
            return;
        }

        if (change.Type == WatchEventType.Deleted)
        {
            Remove(change.Object);
        }
        else if (change.Previous is null || !JsonNode.DeepEquals(change.Previous.Node["spec"], change.Object.Node["spec"]))
        {
            Establish(change.Object);
        }
    }

    private void Establish(StoredObject crd)
    {
        _engine.Registry.Register(crd.Name, ResourceRegistry.TypesOf(crd.Node));
        var now = _engine.Now();
        _engine.Mutate(_crdType, null, crd.Name, doc =>
        {
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            status["acceptedNames"] = JsonNodes.At(doc, "spec", "names")?.DeepClone();
            StatusConditions.Set(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now);
            StatusConditions.Set(status, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now);
            foreach (var c in ((JsonArray)status["conditions"]!).OfType<JsonObject>())
            {
                c.Remove("lastProbeTime");
            }

            var storage = (JsonNodes.At(doc, "spec", "versions") as JsonArray)?.FirstOrDefault(v => v?["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b);
            var stored = status["storedVersions"] as JsonArray ?? [];
            var storageName = JsonNodes.GetString(storage, "name");
            if (storageName is not null && !stored.Any(s => JsonNodes.ScalarText(s) == storageName))
            {
                stored.Add(storageName);
            }

            status["storedVersions"] = stored;
            return true;
        }, subresource: "status");
    }

    private void Remove(StoredObject crd)
    {
        var types = _engine.Registry.Unregister(crd.Name);
        foreach (var gr in types.Select(t => t.GroupResource).Distinct())
        {
            if (_engine.Store.TryRemoveCollection(gr, out var collection))
            {
                collection!.CloseWatchers();
            }
        }
    }

    public void Dispose() => _engine.Store.Changed -= OnChanged;
}
