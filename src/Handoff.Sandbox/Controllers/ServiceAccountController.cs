using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// The service account controller's visible part: every new namespace gets its <c>default</c> ServiceAccount. Runs
/// in the namespace's create (a real cluster adds it a moment later; no token Secret, no <c>kube-root-ca.crt</c>).
/// </summary>
internal sealed class ServiceAccountController : IDisposable
{
    private readonly ApiEngine _engine;
    private readonly ResourceType _serviceAccounts;

    public ServiceAccountController(ApiEngine engine)
    {
        _engine = engine;
        _serviceAccounts = engine.Builtin("", "serviceaccounts");
    }

    public void Start() => _engine.Store.Changed += OnChanged;

    private void OnChanged(StoreChange change)
    {
        if (change.Type != WatchEventType.Added || change.Collection.GroupResource != "namespaces")
        {
            return;
        }

        try
        {
            _engine.Create(_serviceAccounts, change.Object.Name, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, WriteOptions.Internal, []);
        }
        catch (ApiException e) when (e.Code is 409 or 403 or 404)
        {
            // Exists already, or the namespace is already going away.
        }
    }

    public void Dispose() => _engine.Store.Changed -= OnChanged;
}
