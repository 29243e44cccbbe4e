using System.Collections.Concurrent;

namespace Handoff.Sandbox;

/// <summary>
/// One kind of authorization decision the sandbox made with RBAC on: who (<see cref="User"/>), what (verb, API group,
/// resource with subresource, namespace — or the path of a non-resource request), whether it was allowed, and why it
/// was asked: <c>request</c> (an API request), <c>admission</c> (OwnerReferencesPermissionEnforcement checking the
/// owner's finalizers or the object's delete) or <c>review</c> (a SubjectAccessReview).
/// </summary>
public sealed record SandboxAuthorization(string User, string Verb, string ApiGroup, string Resource, string Namespace, string Path, bool Allowed, string Source);

/// <summary>
/// Counts the sandbox's authorization decisions by <see cref="SandboxAuthorization"/>, as an API server's audit log
/// would show them, so tests can tell which permissions a client used and which it was refused.
/// </summary>
public sealed class SandboxAuthorizationLog
{
    private readonly ConcurrentDictionary<SandboxAuthorization, long> _counts = new();

    internal void Record(SandboxAuthorization decision) => _counts.AddOrUpdate(decision, 1, static (_, n) => n + 1);

    /// <summary>The decisions so far, with how often each was made.</summary>
    public IReadOnlyDictionary<SandboxAuthorization, long> Snapshot() => new Dictionary<SandboxAuthorization, long>(_counts);

    /// <summary>The refusals so far.</summary>
    public IReadOnlyList<SandboxAuthorization> Denied() => [.. _counts.Keys.Where(d => !d.Allowed)];

    public void Clear() => _counts.Clear();
}
