using System.Collections.Concurrent;

namespace Handoff.Sandbox;

/// <summary>
/// One kind of API request the sandbox served: the client's <c>User-Agent</c>, the Kubernetes verb (get, list,
/// watch, create, update, patch, delete, deletecollection) and the resource with its subresource
/// (<c>pods/binding</c>, <c>handofffunctions/status</c>).
/// </summary>
public sealed record SandboxRequestKind(string UserAgent, string Verb, string Resource)
{
    /// <summary>True for the verbs that change stored state.</summary>
    public bool IsWrite => IsWriteVerb(Verb);

    /// <summary>True for create, update, patch, delete and deletecollection.</summary>
    public static bool IsWriteVerb(string verb) => verb is "create" or "update" or "patch" or "delete" or "deletecollection";
}

/// <summary>
/// Counts the resource requests the sandbox serves, by <see cref="SandboxRequestKind"/> (as the API server's
/// <c>apiserver_request_total</c> does by verb and resource), so benchmarks and tests can tell how many API calls
/// a client made. Requests rejected by injected faults are counted too: the client did send them.
/// </summary>
public sealed class SandboxRequestLog
{
    private readonly ConcurrentDictionary<SandboxRequestKind, long> _counts = new();

    internal void Record(string userAgent, string verb, string resource) =>
        _counts.AddOrUpdate(new SandboxRequestKind(userAgent, verb, resource), 1, static (_, n) => n + 1);

    /// <summary>The counts so far.</summary>
    public IReadOnlyDictionary<SandboxRequestKind, long> Snapshot() => new Dictionary<SandboxRequestKind, long>(_counts);

    /// <summary>Forgets every count (e.g. after a benchmark's setup).</summary>
    public void Clear() => _counts.Clear();
}
