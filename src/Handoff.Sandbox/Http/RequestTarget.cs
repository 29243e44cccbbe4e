using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Http;

/// <summary>The resource a request names: its type, namespace, object name and subresource.</summary>
internal sealed record RequestTarget(ResourceType Type, string? Namespace, string? Name, string? Subresource);
