using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>The API server's 401 and 403 answers, word for word.</summary>
internal static class Forbidden
{
    /// <summary>A request without credentials, or with a token no authenticator accepts (anonymous authentication is off, as on k3s).</summary>
    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    /// <summary>
    /// The authorization filter's refusal: <c>pods is forbidden: User "system:serviceaccount:ns:sa" cannot create
    /// resource "pods" in API group "" in the namespace "ns"</c> (<c>at the cluster scope</c> for cluster-wide
    /// requests, <c>forbidden: User "u" cannot get path "/metrics"</c> for non-resource ones), followed by the
    /// authorizer's reason when it gave one.
    /// </summary>
    public static ApiException Request(RequestAttributes request, string reason)
    {
        var message = Sanitize(Describe(request));
        if (reason.Length > 0)
        {
            message += ": " + reason;
        }

        return request.IsResourceRequest
            ? For(request.ApiGroup, request.Resource, request.Name, message)
            : For("", "", "", message);
    }

    /// <summary>A refusal by an admission plugin, about the object being written.</summary>
    public static ApiException Admission(ResourceType t, string name, string message) => For(t.Group, t.Plural, name, message);

    /// <summary>apierrors.NewForbidden: <c>resource.group "name" is forbidden: ...</c>.</summary>
    private static ApiException For(string group, string resource, string name, string message)
    {
        var groupResource = group.Length == 0 ? resource : resource + "." + group;
        var text = groupResource.Length == 0 ? "forbidden: " + message
            : name.Length == 0 ? $"{groupResource} is forbidden: {message}"
            : $"{groupResource} \"{name}\" is forbidden: {message}";
        var details = new JsonObject();
        if (name.Length > 0)
        {
            details["name"] = name;
        }

        if (group.Length > 0)
        {
            details["group"] = group;
        }

        if (resource.Length > 0)
        {
            details["kind"] = resource;
        }

        return ApiException.Forbidden(text, details);
    }

    private static string Describe(RequestAttributes request)
    {
        var user = request.User.Name;
        if (!request.IsResourceRequest)
        {
            return $"User \"{user}\" cannot {request.Verb} path \"{request.Path}\"";
        }

        var scope = request.Namespace.Length > 0 ? $"in the namespace \"{request.Namespace}\"" : "at the cluster scope";
        return $"User \"{user}\" cannot {request.Verb} resource \"{request.ResourceWithSubresource}\" in API group \"{request.ApiGroup}\" {scope}";
    }

    /// <summary>The API server escapes these in the message (it may end up in HTML).</summary>
    private static string Sanitize(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
