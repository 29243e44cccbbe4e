using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>
/// kube-apiserver's authorizer chain as the sandbox runs it with RBAC on: members of <c>system:masters</c> are allowed
/// everything (the privileged-group authorizer), everyone else is judged by the RBAC objects in the store. The
/// compiled <see cref="RbacPolicy"/> is rebuilt on the first request after a Role, ClusterRole or binding changes.
/// </summary>
internal sealed class RbacAuthorizer : IDisposable
{
    public const string Group = "rbac.authorization.k8s.io";

    private readonly ApiEngine _engine;
    private readonly Lock _lock = new();
    private RbacPolicy? _policy;
    private int _stale = 1;

    public RbacAuthorizer(ApiEngine engine)
    {
        _engine = engine;
        _engine.Store.Changed += OnChanged;
    }

    public AuthorizationDecision Authorize(RequestAttributes request) =>
        request.User.IsInGroup(UserInfo.MastersGroup) ? AuthorizationDecision.Allow("") : Policy().Authorize(request);

    /// <summary>The rules bound to the user (cluster-wide and in <paramref name="ns"/>) and the errors met resolving them.</summary>
    public (List<PolicyRule> Rules, List<string> Errors) RulesFor(UserInfo user, string ns) => Policy().RulesFor(user, ns);

    private RbacPolicy Policy()
    {
        if (Volatile.Read(ref _stale) == 0 && _policy is { } current)
        {
            return current;
        }

        lock (_lock)
        {
            // Cleared before reading, so a change made while building marks the new policy stale again.
            if (Interlocked.Exchange(ref _stale, 0) == 1 || _policy is null)
            {
                _policy = RbacPolicy.Build(_engine);
            }

            return _policy;
        }
    }

    private void OnChanged(StoreChange change)
    {
        if (change.Collection.GroupResource.EndsWith("." + Group, StringComparison.Ordinal))
        {
            Volatile.Write(ref _stale, 1);
        }
    }

    public void Dispose() => _engine.Store.Changed -= OnChanged;
}
