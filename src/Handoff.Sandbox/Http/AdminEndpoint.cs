using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>
/// The admin endpoint: a second loopback port, served only when the sandbox is started with one
/// (<see cref="SandboxOptions.AdminPort"/>, <c>handoff sandbox --admin-port</c>), so that what a chaos test does to the
/// API server is never reachable by the API's own clients. <c>/sandbox/faults/...</c> (<see cref="FaultsEndpoint"/>),
/// <c>/sandbox/requests</c> (requests counted by user agent, verb and resource) and <c>/sandbox/journal</c> (the
/// accepted writes in order, when recorded).
/// </summary>
internal sealed class AdminEndpoint(SandboxFaults faults, SandboxRequestLog requests, SandboxWriteJournal journal)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        var ct = ctx.RequestAborted;
        var segments = (ctx.Request.Path.Value ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = ctx.Request.Method;
        try
        {
            switch (segments)
            {
                case ["healthz"]:
                    ctx.Response.ContentType = "text/plain";
                    await ctx.Response.WriteAsync("ok", ct);
                    return;
                case [] or ["sandbox"] when method == "GET":
                    await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["paths"] = new JsonArray("/sandbox/faults", "/sandbox/requests", "/sandbox/journal") }, ct);
                    return;
                case ["sandbox", "faults", .. var rest]:
                    await FaultsEndpoint.HandleAsync(ctx, faults, method, rest, ct);
                    return;
                case ["sandbox", "requests"] when method == "GET":
                    await ResponseWriter.WriteJsonAsync(ctx, Requests(), ct);
                    return;
                case ["sandbox", "journal"] when method == "GET":
                    await WriteJournalAsync(ctx, ct);
                    return;
                default:
                    throw ApiException.ResourceNotFound();
            }
        }
        catch (ApiException e)
        {
            await ResponseWriter.WriteErrorAsync(ctx, e, ct);
        }
        catch (JsonException e)
        {
            await ResponseWriter.WriteErrorAsync(ctx, ApiException.BadRequest($"the body is not valid JSON: {e.Message}"), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private JsonObject Requests() => new()
    {
        ["items"] = new JsonArray([.. requests.Snapshot()
            .OrderBy(r => r.Key.UserAgent, StringComparer.Ordinal).ThenBy(r => r.Key.Resource, StringComparer.Ordinal).ThenBy(r => r.Key.Verb, StringComparer.Ordinal)
            .Select(r => (JsonNode)new JsonObject
            {
                ["userAgent"] = r.Key.UserAgent,
                ["verb"] = r.Key.Verb,
                ["resource"] = r.Key.Resource,
                ["count"] = r.Value,
            })]),
    };

    /// <summary>
    /// <c>GET /sandbox/journal?after=RV&amp;limit=N</c>: <c>{"items":[{resourceVersion, type, resource, namespace, name,
    /// uid, userAgent, request, object}], "last": RV}</c>; page on with <c>after=last</c>.
    /// </summary>
    private async Task WriteJournalAsync(HttpContext ctx, CancellationToken ct)
    {
        if (!journal.Enabled)
        {
            throw ApiException.BadRequest("the write journal is off: start the sandbox with --record-writes (SandboxOptions.RecordWrites)");
        }

        var after = long.TryParse(ctx.Request.Query["after"], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0;
        var limit = int.TryParse(ctx.Request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 10_000;
        var page = journal.Snapshot(after).Take(limit).ToList();
        ctx.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(ctx.Response.Body);
        json.WriteStartObject();
        json.WriteStartArray("items");
        foreach (var w in page)
        {
            json.WriteStartObject();
            json.WriteNumber("resourceVersion", w.ResourceVersion);
            json.WriteString("type", w.Type);
            json.WriteString("resource", w.Resource);
            json.WriteString("namespace", w.Namespace);
            json.WriteString("name", w.Name);
            json.WriteString("uid", w.Uid);
            json.WriteString("userAgent", w.UserAgent);
            json.WriteString("request", w.Request);
            json.WritePropertyName("object");
            json.WriteRawValue(w.Json.Span, skipInputValidation: true);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("last", page.Count > 0 ? page[^1].ResourceVersion : after);
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }
}
