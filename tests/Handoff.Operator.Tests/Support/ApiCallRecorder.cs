using System.Collections.Concurrent;

namespace Handoff.Operator.Tests.Support;

/// <summary>One Kubernetes API request as RBAC sees it.</summary>
public sealed record ApiCall(string Verb, string ApiGroup, string Resource, string? Namespace)
{
    public override string ToString() => $"{Verb} {(ApiGroup.Length == 0 ? "core" : ApiGroup)}/{Resource}" + (Namespace is null ? "" : $" in {Namespace}");

    /// <summary>Maps a request to RBAC terms (verb, API group, resource[/subresource], namespace).</summary>
    public static ApiCall? From(HttpMethod method, Uri uri)
    {
        var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        int rest;
        string group;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            group = "";
            rest = 2;
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            group = segments[1];
            rest = 3;
        }
        else
        {
            return null; // discovery, /version, ...
        }

        string? ns = null;
        if (segments.Length > rest + 2 && segments[rest] == "namespaces")
        {
            ns = segments[rest + 1];
            rest += 2;
        }

        if (segments.Length <= rest)
        {
            return null;
        }

        var resource = segments[rest];
        var name = segments.Length > rest + 1 ? segments[rest + 1] : null;
        if (segments.Length > rest + 2)
        {
            resource += "/" + segments[rest + 2];
        }

        var watch = uri.Query.Contains("watch=true", StringComparison.OrdinalIgnoreCase);
        var verb = method.Method switch
        {
            "GET" when watch => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => method.Method.ToLowerInvariant(),
        };
        return new ApiCall(verb, group, resource, ns);
    }
}

/// <summary>Records every API call of the KubernetesClients given its handlers (one new handler per client).</summary>
public sealed class ApiCallRecorder
{
    public ConcurrentBag<ApiCall> Calls { get; } = [];

    public DelegatingHandler CreateHandler() => new RecordingHandler(Calls);

    private sealed class RecordingHandler(ConcurrentBag<ApiCall> calls) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && ApiCall.From(request.Method, uri) is { } call)
            {
                calls.Add(call);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
