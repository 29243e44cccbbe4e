using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Auth;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>Maps Kubernetes REST paths and verbs onto the <see cref="ApiEngine"/>.</summary>
internal sealed class ApiHandler
{
    private readonly ApiEngine _engine;
    private readonly PodBinding _binding;
    private readonly PodEviction _eviction;
    private readonly SandboxFaults _faults;
    private readonly SandboxRequestLog _requests;
    private readonly string _instanceHash;
    private readonly WatchStream _watches;
    private readonly SandboxSecurity _security;
    private readonly AuthEndpoints _auth;

    public ApiHandler(ApiEngine engine, SandboxSecurity security, SandboxFaults faults, SandboxRequestLog requests, TimeSpan bookmarkInterval)
    {
        _engine = engine;
        _security = security;
        _auth = new AuthEndpoints(engine, security);
        _binding = new PodBinding(engine);
        _eviction = new PodEviction(engine);
        _faults = faults;
        _requests = requests;
        _watches = new WatchStream(engine, bookmarkInterval);
        _instanceHash = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var ct = ctx.RequestAborted;
        try
        {
            var latency = _faults.LatencyFor(ctx.Request.Headers.UserAgent.ToString());
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, TimeProvider.System, ct);
            }

            await DispatchAsync(ctx, Authorize(ctx), ct);
        }
        catch (ApiException e)
        {
            await ResponseWriter.WriteErrorAsync(ctx, e, ct);
        }
        catch (JsonException e)
        {
            await ResponseWriter.WriteErrorAsync(ctx, ApiException.BadRequest($"the object provided is unrecognized or malformed: {e.Message}"), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug in the emulator: answer like the API server does for internal errors, with the cause.
            await ResponseWriter.WriteErrorAsync(ctx, new ApiException(500, "InternalError", $"Internal error occurred: {e.GetType().Name}: {e.Message}"), ct);
        }
    }

    /// <summary>
    /// The API server's filters before any handler: authentication (401 without a valid bearer token when RBAC is
    /// enforced), then authorization of the request's attributes (403 with the API server's message).
    /// </summary>
    private UserInfo Authorize(HttpContext ctx)
    {
        var user = _security.AuthenticateRequest(ctx.Request.Headers.Authorization.ToString()) ?? throw Forbidden.Unauthorized();
        var request = RequestInfo.Resolve(user, ctx.Request.Method, ctx.Request.Path.Value ?? "/", ctx.Request.Query);
        var decision = _security.Authorize(request, "request");
        return decision.Allowed ? user : throw Forbidden.Request(request, decision.Reason);
    }

    private async Task DispatchAsync(HttpContext ctx, UserInfo user, CancellationToken ct)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = ctx.Request.Method;
        var registry = _engine.Registry;
        switch (segments)
        {
            case []:
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version") }, ct);
                return;
            case ["version"]:
                await ResponseWriter.WriteJsonAsync(ctx, Discovery.Version(), ct);
                return;
            case ["healthz" or "readyz" or "livez", ..]:
                ctx.Response.ContentType = "text/plain";
                await ctx.Response.WriteAsync("ok", ct);
                return;
            case ["api"]:
                await ResponseWriter.WriteJsonAsync(ctx, Discovery.CoreVersions(ctx.Request.Host.Value ?? "127.0.0.1"), ct);
                return;
            case ["api", var v]:
                await ResponseWriter.WriteJsonAsync(ctx, Discovery.Resources(registry, "", v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["apis"]:
                await ResponseWriter.WriteJsonAsync(ctx, Discovery.Groups(registry), ct);
                return;
            case ["apis", var g]:
                await ResponseWriter.WriteJsonAsync(ctx, Discovery.Group(registry, g) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["apis", var g, var v]:
                await ResponseWriter.WriteJsonAsync(ctx, Discovery.Resources(registry, g, v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["openapi", "v2"]:
                if (ctx.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.OrdinalIgnoreCase))
                {
                    ctx.Response.ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
                    await ctx.Response.Body.WriteAsync(OpenApiV2.Protobuf(), ct);
                    return;
                }

                await ResponseWriter.WriteJsonAsync(ctx, OpenApiV2.Json(), ct);
                return;
            case ["openapi", "v3"]:
                await ResponseWriter.WriteJsonAsync(ctx, OpenApi.Root(registry, _instanceHash), ct);
                return;
            case ["openapi", "v3", "api", var v]:
                await ResponseWriter.WriteJsonAsync(ctx, OpenApi.GroupVersion(registry, "", v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["openapi", "v3", "apis", var g, var v]:
                await ResponseWriter.WriteJsonAsync(ctx, OpenApi.GroupVersion(registry, g, v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["api", var v, .. var rest]:
                await ResourceAsync(ctx, method, Resolve("", v, rest), user, ct);
                return;
            case ["apis", var g, var v, .. var rest]:
                await ResourceAsync(ctx, method, Resolve(g, v, rest), user, ct);
                return;
            default:
                throw ApiException.ResourceNotFound();
        }
    }

    private RequestTarget Resolve(string group, string version, string[] rest)
    {
        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && rest[2] is not ("status" or "finalize"))
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            throw ApiException.ResourceNotFound();
        }

        var type = _engine.Registry.Find(group, version, rest[0]) ?? throw ApiException.ResourceNotFound();
        if ((ns is not null && !type.Namespaced) || (ns is null && type.Namespaced && rest.Length > 1))
        {
            throw ApiException.ResourceNotFound();
        }

        var sub = rest.Length == 3 ? rest[2] : null;
        if (sub is not null && !((sub == "status" && type.HasStatus) || (sub is "binding" or "eviction" && type.HasBinding) || (sub == "token" && type.HasToken)))
        {
            throw ApiException.ResourceNotFound();
        }

        return new RequestTarget(type, ns, rest.Length > 1 ? rest[1] : null, sub);
    }

    private static string Verb(string method, RequestTarget target, IQueryCollection query) => method switch
    {
        "GET" when target.Name is null => RequestReader.IsTrue(query["watch"]) ? "watch" : "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when target.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };

    private async Task ResourceAsync(HttpContext ctx, string method, RequestTarget target, UserInfo user, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var verb = Verb(method, target, query);
        var t = target.Type;
        var resourceName = target.Subresource is null ? t.Plural : t.Plural + "/" + target.Subresource;
        var userAgent = ctx.Request.Headers.UserAgent.ToString();
        _requests.Record(userAgent, verb, resourceName);
        if (_faults.TakeFailure(verb, resourceName, target.Namespace, userAgent) is { } injected)
        {
            throw SandboxFaults.FailureFor(injected, t.GroupResource, target.Name ?? "");
        }

        SandboxWriteJournal.BeginRequest(userAgent, verb, resourceName);

        var warnings = new List<string>();
        var writeOptions = _security.Enforced
            ? RequestReader.WriteOptions(query) with { Admission = (type, subresource, obj, old) => _security.OwnerReferences.Validate(user, type, subresource, obj, old) }
            : RequestReader.WriteOptions(query);
        if (target.Subresource == "token" && verb != "create")
        {
            throw ApiException.MethodNotAllowed();
        }

        if (t.IsReview)
        {
            // Create-only, answered and never stored.
            if (verb != "create" || target.Name is not null)
            {
                throw ApiException.MethodNotAllowed();
            }

            var review = _auth.Review(t, target.Namespace, await RequestReader.ReadObjectAsync(ctx, ct), user);
            await ResponseWriter.WriteJsonAsync(ctx, review, ct, 201);
            return;
        }

        switch (verb)
        {
            case "get":
                await WriteObjectAsync(ctx, t, _engine.Get(t, target.Namespace, target.Name!), ct);
                return;
            case "list":
                await ListAsync(ctx, target, ct);
                return;
            case "watch":
                await _watches.ServeAsync(ctx, target, ct);
                return;
            case "create" when target.Subresource == "binding":
                _binding.Bind(target.Namespace!, target.Name!, await RequestReader.ReadObjectAsync(ctx, ct));
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 }, ct, 201);
                return;
            case "create" when target.Subresource == "token":
                await ResponseWriter.WriteJsonAsync(ctx, _auth.RequestToken(target.Namespace!, target.Name!, await RequestReader.ReadObjectAsync(ctx, ct)), ct, 201);
                return;
            case "create" when target.Subresource == "eviction":
                _eviction.Evict(target.Namespace!, target.Name!, await RequestReader.ReadObjectAsync(ctx, ct), query["dryRun"].ToString() == "All");
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 }, ct, 201);
                return;
            case "create" when target.Name is null:
                {
                    var created = _engine.Create(t, target.Namespace, await RequestReader.ReadObjectAsync(ctx, ct), writeOptions, warnings);
                    ResponseWriter.AddWarnings(ctx, warnings);
                    ctx.Response.StatusCode = 201;
                    await WriteObjectAsync(ctx, t, created, ct);
                    return;
                }

            case "update" when target.Name is not null && target.Subresource is not ("binding" or "eviction"):
                {
                    var updated = _engine.Update(t, target.Namespace, target.Name, await RequestReader.ReadObjectAsync(ctx, ct), target.Subresource, writeOptions, warnings);
                    ResponseWriter.AddWarnings(ctx, warnings);
                    await WriteObjectAsync(ctx, t, updated, ct);
                    return;
                }

            case "patch" when target.Name is not null && target.Subresource is not ("binding" or "eviction"):
                {
                    var contentType = (ctx.Request.ContentType ?? "").Split(';')[0].Trim();
                    var patch = await RequestReader.ReadBodyAsync(ctx, ct);
                    var patched = _engine.Patch(t, target.Namespace, target.Name, contentType, patch, target.Subresource, writeOptions, warnings);
                    ResponseWriter.AddWarnings(ctx, warnings);
                    await WriteObjectAsync(ctx, t, patched, ct);
                    return;
                }

            case "delete" when target.Subresource is null:
                {
                    var options = await RequestReader.DeleteOptionsAsync(ctx, ct);
                    var (obj, _) = _engine.Delete(t, target.Namespace, target.Name!, options);
                    await WriteObjectAsync(ctx, t, obj, ct);
                    return;
                }

            case "deletecollection":
                await DeleteCollectionAsync(ctx, target, ct);
                return;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    private async Task WriteObjectAsync(HttpContext ctx, ResourceType t, StoredObject obj, CancellationToken ct)
    {
        ctx.Response.ContentType = "application/json";
        if (RequestReader.WantsTable(ctx) && ctx.Request.Method == "GET")
        {
            var table = Tables.Table(t, [obj.Node], _engine.Time.GetUtcNow(), RequestReader.IncludeObject(ctx), obj.ResourceVersion.ToString(CultureInfo.InvariantCulture), null);
            await ctx.Response.Body.WriteAsync(JsonNodes.ToBytes(table), ct);
            return;
        }

        await ctx.Response.Body.WriteAsync(ResponseWriter.BytesFor(t, obj), ct);
    }

    private async Task ListAsync(HttpContext ctx, RequestTarget target, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var t = target.Type;
        var q = RequestReader.ParseQuery(target, query);
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0;
        (long ResourceVersion, string StartAfter)? from = query["continue"].ToString() is { Length: > 0 } token ? ContinueToken.Decode(token) : null;
        var (items, rv, lastKey, remaining) = _engine.CollectionOf(t).List(q, from?.StartAfter, limit, from?.ResourceVersion);
        var rvText = rv.ToString(CultureInfo.InvariantCulture);
        var continueToken = lastKey is null ? null : ContinueToken.Encode(rv, lastKey);
        ctx.Response.ContentType = "application/json";
        if (RequestReader.WantsTable(ctx))
        {
            var table = Tables.Table(t, items.Select(i => i.Node), _engine.Time.GetUtcNow(), RequestReader.IncludeObject(ctx), rvText, continueToken);
            if (remaining is not null)
            {
                ((JsonObject)table["metadata"]!)["remainingItemCount"] = remaining;
            }

            await ctx.Response.Body.WriteAsync(JsonNodes.ToBytes(table), ct);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256 + items.Sum(i => i.Json.Length + 1));
        var header = $"{{\"kind\":\"{t.ListKind}\",\"apiVersion\":\"{t.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{rvText}\"" +
            (continueToken is null ? "" : $",\"continue\":\"{continueToken}\"") +
            (remaining is not { } count ? "" : $",\"remainingItemCount\":{count.ToString(CultureInfo.InvariantCulture)}") + "},\"items\":[";
        buffer.Write(Encoding.UTF8.GetBytes(header));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(ResponseWriter.BytesFor(t, items[i]));
        }

        buffer.Write("]}"u8);
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
    }

    private async Task DeleteCollectionAsync(HttpContext ctx, RequestTarget target, CancellationToken ct)
    {
        var t = target.Type;
        var options = await RequestReader.DeleteOptionsAsync(ctx, ct);
        var q = RequestReader.ParseQuery(target, ctx.Request.Query);
        var deleted = new List<StoredObject>();
        foreach (var obj in _engine.CollectionOf(t).List(q).Items)
        {
            try
            {
                deleted.Add(_engine.Delete(t, t.Namespaced ? obj.Namespace : null, obj.Name, options).Object);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted concurrently.
            }
        }

        var list = new JsonObject
        {
            ["kind"] = t.ListKind,
            ["apiVersion"] = t.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = _engine.Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray([.. deleted.Select(d => (JsonNode)d.CloneNode())]),
        };
        await ResponseWriter.WriteJsonAsync(ctx, list, ct);
    }

}
