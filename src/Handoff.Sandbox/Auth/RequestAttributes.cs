namespace Handoff.Sandbox.Auth;

/// <summary>
/// What an authorizer decides on (k8s.io/apiserver authorizer.Attributes): a resource request (verb, API group,
/// resource, subresource, namespace, name) or a non-resource request (verb, path).
/// </summary>
internal sealed record RequestAttributes
{
    public required UserInfo User { get; init; }

    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; }

    public string ApiGroup { get; init; } = "";

    public string ApiVersion { get; init; } = "";

    public string Resource { get; init; } = "";

    public string Subresource { get; init; } = "";

    public string Namespace { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>The URL path of a non-resource request.</summary>
    public string Path { get; init; } = "";

    /// <summary><c>pods</c>, or <c>pods/binding</c> with a subresource.</summary>
    public string ResourceWithSubresource => Subresource.Length == 0 ? Resource : Resource + "/" + Subresource;
}
