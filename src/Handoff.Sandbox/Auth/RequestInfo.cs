using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Auth;

/// <summary>
/// Turns an HTTP request into <see cref="RequestAttributes"/> the way the API server's request-info resolver does,
/// before it knows whether the resource exists (so a forbidden request is refused whatever it names):
/// <c>/api/v1/...</c> and <c>/apis/GROUP/VERSION/...</c> are resource requests, everything else is a non-resource
/// path; the verb comes from the method, <c>get</c> without a name is <c>list</c> or <c>watch</c>, <c>delete</c>
/// without a name is <c>deletecollection</c>, and a list or watch whose field selector pins <c>metadata.name</c>
/// is about that name.
/// </summary>
internal static class RequestInfo
{
    public static RequestAttributes Resolve(UserInfo user, string method, string path, IQueryCollection query)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var nonResource = new RequestAttributes { User = user, Verb = method.ToLowerInvariant(), Path = path };
        if (parts.Length < 3 || parts[0] is not ("api" or "apis"))
        {
            return nonResource;
        }

        var group = "";
        var rest = parts.AsSpan(1);
        if (parts[0] == "apis")
        {
            if (rest.Length < 3)
            {
                return nonResource;
            }

            group = rest[0];
            rest = rest[1..];
        }

        var version = rest[0];
        rest = rest[1..];
        var verb = method switch
        {
            "POST" => "create",
            "GET" or "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => "",
        };
        var ns = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && rest[2] is not ("status" or "finalize"))
            {
                rest = rest[2..];
            }
        }

        var resource = rest[0];
        var name = rest.Length > 1 ? rest[1] : "";
        var subresource = rest.Length > 2 ? rest[2] : "";
        if (name.Length == 0 && verb == "get")
        {
            verb = IsWatch(query) ? "watch" : "list";
            if (NameFromFieldSelector(query["fieldSelector"].ToString()) is { } pinned)
            {
                name = pinned;
            }
        }

        if (name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }

        return new RequestAttributes
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            ApiGroup = group,
            ApiVersion = version,
            Resource = resource,
            Subresource = subresource,
            Namespace = ns,
            Name = name,
            Path = path,
        };
    }

    private static bool IsWatch(IQueryCollection query) =>
        query["watch"].ToString().ToLowerInvariant() is { Length: > 0 } w && w is not ("false" or "0");

    /// <summary>The name a field selector requires exactly (<c>metadata.name=x</c> or <c>==</c>), if it is a valid path segment.</summary>
    private static string? NameFromFieldSelector(string selector)
    {
        string? name = null;
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = term.IndexOf('=');
            if (eq <= 0 || term[eq - 1] == '!')
            {
                continue;
            }

            var value = term[(eq + 1)..];
            if (term[..eq].Trim() == "metadata.name")
            {
                name = (value.StartsWith('=') ? value[1..] : value).Trim();
            }
        }

        return name is { Length: > 0 } and not ("." or "..") && name.IndexOfAny(['/', '%']) < 0 ? name : null;
    }
}
