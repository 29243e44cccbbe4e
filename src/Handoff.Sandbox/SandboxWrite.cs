using System.Text.Json;

namespace Handoff.Sandbox;

/// <summary>
/// One write the API server accepted, as its watch would deliver it, with who made it.
/// </summary>
/// <param name="ResourceVersion">The global resourceVersion the write committed at (unique, increasing).</param>
/// <param name="Type"><c>ADDED</c>, <c>MODIFIED</c> or <c>DELETED</c>.</param>
/// <param name="Resource">The group resource: <c>pods</c>, <c>handofffunctions.handoff.dev</c>, <c>leases.coordination.k8s.io</c>.</param>
/// <param name="Namespace">The object's namespace; null for cluster-scoped objects.</param>
/// <param name="UserAgent">The <c>User-Agent</c> of the request that made the write; empty for the sandbox's own
/// controllers and kubelet (their writes are not requests).</param>
/// <param name="Request">The request's verb and resource (<c>create pods/binding</c>, <c>patch handofffunctions/status</c>); null for the sandbox's own writes.</param>
/// <param name="Json">The object after the write (for <c>DELETED</c>, its last state), as stored: UTF-8 JSON.</param>
public sealed record SandboxWrite(
    long ResourceVersion, string Type, string Resource, string? Namespace, string Name, string Uid, string UserAgent, string? Request, ReadOnlyMemory<byte> Json)
{
    /// <summary>The object, parsed (dispose the document).</summary>
    public JsonDocument Parse() => JsonDocument.Parse(Json);
}
