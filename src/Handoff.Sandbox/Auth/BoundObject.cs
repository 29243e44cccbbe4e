namespace Handoff.Sandbox.Auth;

/// <summary>The object a ServiceAccount token is bound to (TokenRequest <c>spec.boundObjectRef</c>): it is valid only while that object exists.</summary>
internal sealed record BoundObject(string Kind, string ApiVersion, string Name, string Uid);
