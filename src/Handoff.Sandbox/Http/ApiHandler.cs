using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>Maps Kubernetes REST paths and verbs onto the <see cref="ApiEngine"/>.</summary>
internal sealed class ApiHandler
{
    private static readonly byte[] Newline = "\n"u8.ToArray();
    private static readonly byte[] EventSuffix = "}\n"u8.ToArray();
    private static readonly byte[] AddedPrefix = "{\"type\":\"ADDED\",\"object\":"u8.ToArray();
    private static readonly byte[] ModifiedPrefix = "{\"type\":\"MODIFIED\",\"object\":"u8.ToArray();
    private static readonly byte[] DeletedPrefix = "{\"type\":\"DELETED\",\"object\":"u8.ToArray();
    private readonly ApiEngine _engine;
    private readonly SandboxFaults _faults;
    private readonly SandboxRequestLog _requests;
    private readonly string _instanceHash;
    private readonly TimeSpan _bookmarkInterval;

    public ApiHandler(ApiEngine engine, SandboxFaults faults, SandboxRequestLog requests, TimeSpan bookmarkInterval)
    {
        _engine = engine;
        _faults = faults;
        _requests = requests;
        _bookmarkInterval = bookmarkInterval;
        _instanceHash = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    }

    private sealed record Target(ResourceType Type, string? Namespace, string? Name, string? Subresource);

    public async Task HandleAsync(HttpContext ctx)
    {
        var ct = ctx.RequestAborted;
        try
        {
            var latency = _faults.Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, TimeProvider.System, ct);
            }

            await DispatchAsync(ctx, ct);
        }
        catch (ApiException e)
        {
            await WriteErrorAsync(ctx, e, ct);
        }
        catch (JsonException e)
        {
            await WriteErrorAsync(ctx, ApiException.BadRequest($"the object provided is unrecognized or malformed: {e.Message}"), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug in the emulator: answer like the API server does for internal errors, with the cause.
            await WriteErrorAsync(ctx, new ApiException(500, "InternalError", $"Internal error occurred: {e.GetType().Name}: {e.Message}"), ct);
        }
    }

    private static async Task WriteErrorAsync(HttpContext ctx, ApiException e, CancellationToken ct)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        ctx.Response.StatusCode = e.Code;
        foreach (var (k, v) in e.Headers)
        {
            ctx.Response.Headers[k] = v;
        }

        await WriteJsonAsync(ctx, e.ToStatus(), ct);
    }

    private static async Task WriteJsonAsync(HttpContext ctx, JsonNode node, CancellationToken ct, int status = 0)
    {
        if (status != 0)
        {
            ctx.Response.StatusCode = status;
        }

        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(Jn.ToBytes(node), ct);
    }

    private async Task DispatchAsync(HttpContext ctx, CancellationToken ct)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = ctx.Request.Method;
        var registry = _engine.Registry;
        switch (segments)
        {
            case []:
                await WriteJsonAsync(ctx, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version") }, ct);
                return;
            case ["version"]:
                await WriteJsonAsync(ctx, Discovery.Version(), ct);
                return;
            case ["healthz" or "readyz" or "livez", ..]:
                ctx.Response.ContentType = "text/plain";
                await ctx.Response.WriteAsync("ok", ct);
                return;
            case ["api"]:
                await WriteJsonAsync(ctx, Discovery.CoreVersions(ctx.Request.Host.Value ?? "127.0.0.1"), ct);
                return;
            case ["api", var v]:
                await WriteJsonAsync(ctx, Discovery.Resources(registry, "", v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["apis"]:
                await WriteJsonAsync(ctx, Discovery.Groups(registry), ct);
                return;
            case ["apis", var g]:
                await WriteJsonAsync(ctx, Discovery.Group(registry, g) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["apis", var g, var v]:
                await WriteJsonAsync(ctx, Discovery.Resources(registry, g, v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["openapi", "v3"]:
                await WriteJsonAsync(ctx, OpenApi.Root(registry, _instanceHash), ct);
                return;
            case ["openapi", "v3", "api", var v]:
                await WriteJsonAsync(ctx, OpenApi.GroupVersion(registry, "", v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["openapi", "v3", "apis", var g, var v]:
                await WriteJsonAsync(ctx, OpenApi.GroupVersion(registry, g, v) ?? throw ApiException.ResourceNotFound(), ct);
                return;
            case ["sandbox", "faults", .. var rest]:
                await FaultsAsync(ctx, method, rest, ct);
                return;
            case ["api", var v, .. var rest]:
                await ResourceAsync(ctx, method, Resolve("", v, rest), ct);
                return;
            case ["apis", var g, var v, .. var rest]:
                await ResourceAsync(ctx, method, Resolve(g, v, rest), ct);
                return;
            default:
                throw ApiException.ResourceNotFound();
        }
    }

    private Target Resolve(string group, string version, string[] rest)
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
        if (sub is not null && !((sub == "status" && type.HasStatus) || (sub == "binding" && type.HasBinding)))
        {
            throw ApiException.ResourceNotFound();
        }

        return new Target(type, ns, rest.Length > 1 ? rest[1] : null, sub);
    }

    private static string Verb(string method, Target target, IQueryCollection query) => method switch
    {
        "GET" when target.Name is null => IsTrue(query["watch"]) ? "watch" : "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when target.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };

    private static bool IsTrue(string? value) => value is "true" or "1";

    private static FieldValidation ParseValidation(string? value) => value switch
    {
        null or "" or "Warn" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Ignore" => FieldValidation.Ignore,
        _ => throw ApiException.BadRequest($"fieldValidation must be one of Ignore, Warn, Strict, got \"{value}\""),
    };

    private static WriteOptions Options(IQueryCollection query) =>
        new(ParseValidation(query["fieldValidation"]), query["dryRun"].ToString() == "All");

    private static async Task<JsonNode?> ReadBodyAsync(HttpContext ctx, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var body = ctx.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var n = await body.ReadAsync(memory, ct);
            if (n == 0)
            {
                break;
            }

            buffer.Advance(n);
        }

        if (buffer.WrittenCount == 0)
        {
            return null;
        }

        var contentType = ctx.Request.ContentType ?? "";
        if (contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase) && Protobuf.TryDecode(buffer.WrittenMemory) is { } decoded)
        {
            return decoded;
        }

        if (contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase) || contentType.Contains("cbor", StringComparison.OrdinalIgnoreCase))
        {
            // Like an API server without that serializer: clients (client-go) fall back to JSON on 415.
            throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {contentType})");
        }

        if (contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase))
        {
            return Manifests.ParseYaml(Encoding.UTF8.GetString(buffer.WrittenSpan)).FirstOrDefault();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonNode.Parse(ref reader);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx, CancellationToken ct) =>
        await ReadBodyAsync(ctx, ct) as JsonObject ?? throw ApiException.BadRequest("the body of the request must be a JSON object");

    private static void AddWarnings(HttpContext ctx, List<string> warnings)
    {
        foreach (var w in warnings)
        {
            ctx.Response.Headers.Append("Warning", "299 - " + JsonSerializer.Serialize(w, Jn.SerializerOptions));
        }
    }

    private async Task ResourceAsync(HttpContext ctx, string method, Target target, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var verb = Verb(method, target, query);
        var t = target.Type;
        var resourceName = target.Subresource is null ? t.Plural : t.Plural + "/" + target.Subresource;
        _requests.Record(ctx.Request.Headers.UserAgent.ToString(), verb, resourceName);
        if (_faults.TakeFailure(verb, resourceName, target.Namespace) is { } injected)
        {
            throw SandboxFaults.FailureFor(injected, t.GroupResource, target.Name ?? "");
        }

        var warnings = new List<string>();
        switch (verb)
        {
            case "get":
                await WriteObjectAsync(ctx, t, _engine.Get(t, target.Namespace, target.Name!), ct);
                return;
            case "list":
                await ListAsync(ctx, target, ct);
                return;
            case "watch":
                await WatchAsync(ctx, target, ct);
                return;
            case "create" when target.Subresource == "binding":
                _engine.Bind(target.Namespace!, target.Name!, await ReadObjectAsync(ctx, ct));
                await WriteJsonAsync(ctx, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 }, ct, 201);
                return;
            case "create" when target.Name is null:
                {
                    var created = _engine.Create(t, target.Namespace, await ReadObjectAsync(ctx, ct), Options(query), warnings);
                    AddWarnings(ctx, warnings);
                    ctx.Response.StatusCode = 201;
                    await WriteObjectAsync(ctx, t, created, ct);
                    return;
                }

            case "update" when target.Name is not null && target.Subresource != "binding":
                {
                    var updated = _engine.Update(t, target.Namespace, target.Name, await ReadObjectAsync(ctx, ct), target.Subresource, Options(query), warnings);
                    AddWarnings(ctx, warnings);
                    await WriteObjectAsync(ctx, t, updated, ct);
                    return;
                }

            case "patch" when target.Name is not null && target.Subresource != "binding":
                {
                    var contentType = (ctx.Request.ContentType ?? "").Split(';')[0].Trim();
                    var patch = await ReadBodyAsync(ctx, ct);
                    var patched = _engine.Patch(t, target.Namespace, target.Name, contentType, patch, target.Subresource, Options(query), warnings);
                    AddWarnings(ctx, warnings);
                    await WriteObjectAsync(ctx, t, patched, ct);
                    return;
                }

            case "delete" when target.Subresource is null:
                {
                    var options = await DeleteOptionsAsync(ctx, ct);
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

    private static async Task<DeleteOptions> DeleteOptionsAsync(HttpContext ctx, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var body = await ReadBodyAsync(ctx, ct) as JsonObject;
        var policy = Jn.GetString(body, "propagationPolicy") ?? query["propagationPolicy"].ToString();
        if (policy.Length > 0 && policy is not ("Background" or "Foreground" or "Orphan"))
        {
            throw ApiException.BadRequest($"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
        }

        if (body?["orphanDependents"] is JsonValue od && od.TryGetValue<bool>(out var orphan) && orphan)
        {
            policy = "Orphan";
        }

        var dryRun = query["dryRun"].ToString() == "All" || (body?["dryRun"] is JsonArray d && d.Any(x => Jn.ScalarText(x) == "All"));
        return new DeleteOptions(policy.Length == 0 ? null : policy, Jn.GetString(body?["preconditions"], "uid"), Jn.GetString(body?["preconditions"], "resourceVersion"), dryRun);
    }

    private static bool WantsTable(HttpContext ctx) =>
        ctx.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    private static byte[] BytesFor(ResourceType t, StoredObject obj)
    {
        if (!t.IsCustom || Jn.GetString(obj.Node, "apiVersion") == t.ApiVersion)
        {
            return obj.Json;
        }

        var copy = obj.CloneNode();
        copy["apiVersion"] = t.ApiVersion;
        return Jn.ToBytes(copy);
    }

    private async Task WriteObjectAsync(HttpContext ctx, ResourceType t, StoredObject obj, CancellationToken ct)
    {
        ctx.Response.ContentType = "application/json";
        if (WantsTable(ctx) && ctx.Request.Method == "GET")
        {
            var table = Tables.Table(t, [obj.Node], _engine.Time.GetUtcNow(), IncludeObject(ctx), obj.ResourceVersion.ToString(CultureInfo.InvariantCulture), null);
            await ctx.Response.Body.WriteAsync(Jn.ToBytes(table), ct);
            return;
        }

        await ctx.Response.Body.WriteAsync(BytesFor(t, obj), ct);
    }

    private static string IncludeObject(HttpContext ctx) => ctx.Request.Query["includeObject"].ToString() is { Length: > 0 } v ? v : "Metadata";

    private static Query ParseQuery(Target target, IQueryCollection query)
    {
        var fields = FieldSelector.Parse(query["fieldSelector"], target.Type);
        return new Query(target.Namespace, LabelSelector.Parse(query["labelSelector"]), fields);
    }

    private async Task ListAsync(HttpContext ctx, Target target, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var t = target.Type;
        var q = ParseQuery(target, query);
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0;
        var startAfter = query["continue"].ToString() is { Length: > 0 } token ? ObjectStore.DecodeContinue(token) : null;
        var (items, rv, lastKey, remaining) = _engine.CollectionOf(t).List(q, startAfter, limit);
        var rvText = rv.ToString(CultureInfo.InvariantCulture);
        var continueToken = lastKey is null ? null : ObjectStore.EncodeContinue(rv, lastKey);
        ctx.Response.ContentType = "application/json";
        if (WantsTable(ctx))
        {
            var table = Tables.Table(t, items.Select(i => i.Node), _engine.Time.GetUtcNow(), IncludeObject(ctx), rvText, continueToken);
            if (remaining > 0)
            {
                ((JsonObject)table["metadata"]!)["remainingItemCount"] = remaining;
            }

            await ctx.Response.Body.WriteAsync(Jn.ToBytes(table), ct);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256 + items.Sum(i => i.Json.Length + 1));
        var header = $"{{\"kind\":\"{t.ListKind}\",\"apiVersion\":\"{t.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{rvText}\"" +
            (continueToken is null ? "" : $",\"continue\":\"{continueToken}\",\"remainingItemCount\":{remaining.ToString(CultureInfo.InvariantCulture)}") + "},\"items\":[";
        buffer.Write(Encoding.UTF8.GetBytes(header));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(BytesFor(t, items[i]));
        }

        buffer.Write("]}"u8);
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
    }

    private async Task DeleteCollectionAsync(HttpContext ctx, Target target, CancellationToken ct)
    {
        var t = target.Type;
        var options = await DeleteOptionsAsync(ctx, ct);
        var q = ParseQuery(target, ctx.Request.Query);
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
        await WriteJsonAsync(ctx, list, ct);
    }

    private async Task WatchAsync(HttpContext ctx, Target target, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var t = target.Type;
        var q = ParseQuery(target, query);
        if (target.Name is not null)
        {
            q = q with { Fields = FieldSelector.Parse($"metadata.name={target.Name}", t) };
        }

        long? fromRv = null;
        if (query["resourceVersion"].ToString() is { Length: > 0 } rvText && rvText != "0")
        {
            fromRv = long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
                ? rv
                : throw ApiException.BadRequest($"invalid resource version: {rvText}");
        }

        var sendInitial = IsTrue(query["sendInitialEvents"]);
        var bookmarks = IsTrue(query["allowWatchBookmarks"]);
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var ts) && ts > 0
            ? TimeSpan.FromSeconds(ts)
            : TimeSpan.FromMinutes(30);
        var table = WantsTable(ctx);
        var includeObject = IncludeObject(ctx);

        using var watcher = _engine.CollectionOf(t).Watch(q, fromRv, sendInitial);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-cache, private";
        await ctx.Response.StartAsync(ct);
        await ctx.Response.Body.FlushAsync(ct);

        using var bookmarkTimer = bookmarks ? new PeriodicTimer(_bookmarkInterval, _engine.Time) : null;
        var bookmarkTask = bookmarkTimer is null ? Task.CompletedTask : BookmarkLoopAsync(bookmarkTimer, watcher, cts.Token);
        var first = true;
        try
        {
            var reader = watcher.Reader;
            while (await reader.WaitToReadAsync(cts.Token))
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Type == WatchEventType.Bookmark && !bookmarks && !item.InitialEventsEnd)
                    {
                        continue;
                    }

                    if (!table && item.Object is { } obj && item.Type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                    {
                        // The common case writes the stored bytes between a fixed prefix and suffix, without copying.
                        await ctx.Response.Body.WriteAsync(EventPrefix(item.Type), cts.Token);
                        await ctx.Response.Body.WriteAsync(BytesFor(t, obj), cts.Token);
                        await ctx.Response.Body.WriteAsync(EventSuffix, cts.Token);
                    }
                    else
                    {
                        await ctx.Response.Body.WriteAsync(EventLine(t, item, table, includeObject, first), cts.Token);
                    }

                    first = false;
                    if (item.Type == WatchEventType.Error)
                    {
                        return;
                    }
                }

                await ctx.Response.Body.FlushAsync(cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout or client gone: the stream simply ends.
        }
        finally
        {
            await cts.CancelAsync();
            await bookmarkTask;
        }
    }

    private static byte[] EventPrefix(WatchEventType type) => type switch
    {
        WatchEventType.Added => AddedPrefix,
        WatchEventType.Modified => ModifiedPrefix,
        _ => DeletedPrefix,
    };

    private static async Task BookmarkLoopAsync(PeriodicTimer timer, Watcher watcher, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                watcher.Bookmark();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private byte[] EventLine(ResourceType t, WatchItem item, bool table, string includeObject, bool first)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write("{\"type\":\""u8);
        buffer.Write(Encoding.UTF8.GetBytes(WatchItem.TypeName(item.Type)));
        buffer.Write("\",\"object\":"u8);
        switch (item.Type)
        {
            case WatchEventType.Error:
                buffer.Write(Jn.ToBytes(item.Error!.ToStatus()));
                break;
            case WatchEventType.Bookmark:
                var meta = new JsonObject { ["resourceVersion"] = item.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
                if (item.InitialEventsEnd)
                {
                    meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
                }

                buffer.Write(Jn.ToBytes(new JsonObject { ["kind"] = t.Kind, ["apiVersion"] = t.ApiVersion, ["metadata"] = meta }));
                break;
            default:
                if (table)
                {
                    var tableObj = Tables.Table(t, [item.Object!.Node], _engine.Time.GetUtcNow(), includeObject,
                        item.Object.ResourceVersion.ToString(CultureInfo.InvariantCulture), null, withColumns: first);
                    buffer.Write(Jn.ToBytes(tableObj));
                }
                else
                {
                    buffer.Write(BytesFor(t, item.Object!));
                }

                break;
        }

        buffer.Write("}"u8);
        buffer.Write(Newline);
        return buffer.WrittenSpan.ToArray();
    }

    private async Task FaultsAsync(HttpContext ctx, string method, string[] rest, CancellationToken ct)
    {
        var body = method is "POST" or "PUT" ? await ReadBodyAsync(ctx, ct) as JsonObject : null;
        switch (method, rest)
        {
            case ("POST", ["close-watches"]):
                await WriteJsonAsync(ctx, new JsonObject { ["closed"] = _faults.CloseAllWatches() }, ct);
                return;
            case ("POST", ["expire-history"]):
                _faults.ExpireWatchHistory();
                await WriteJsonAsync(ctx, new JsonObject { ["expired"] = true }, ct);
                return;
            case ("POST", ["fail"]):
                var count = body?["count"] is JsonValue c && c.TryGetValue<int>(out var ci) ? ci : 1;
                var status = body?["status"] is JsonValue s && s.TryGetValue<int>(out var si) ? si : 500;
                try
                {
                    _faults.FailNext(count, status, Jn.GetString(body, "verb"), Jn.GetString(body, "resource"), Jn.GetString(body, "namespace"));
                }
                catch (ArgumentOutOfRangeException e)
                {
                    throw ApiException.BadRequest(e.Message);
                }

                await WriteJsonAsync(ctx, new JsonObject { ["pending"] = _faults.PendingFailures }, ct);
                return;
            case ("PUT" or "POST", ["latency"]):
                var ms = body?["milliseconds"] is JsonValue m && m.TryGetValue<int>(out var mi) ? mi : 0;
                _faults.Latency = TimeSpan.FromMilliseconds(ms);
                await WriteJsonAsync(ctx, new JsonObject { ["milliseconds"] = ms }, ct);
                return;
            case ("DELETE", []):
                _faults.Reset();
                await WriteJsonAsync(ctx, new JsonObject { ["reset"] = true }, ct);
                return;
            case ("GET", []):
                await WriteJsonAsync(ctx, new JsonObject { ["pending"] = _faults.PendingFailures, ["latencyMilliseconds"] = _faults.Latency.TotalMilliseconds }, ct);
                return;
            default:
                throw ApiException.ResourceNotFound();
        }
    }
}
