using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>
/// Fault injection over HTTP, under <c>/sandbox/faults</c> of the admin endpoint (see <see cref="SandboxFaults"/> and
/// docs/sandbox.md): watch drops, 410 storms, failure bursts (by count or for a time), latency, reset.
/// </summary>
internal static class FaultsEndpoint
{
    public static async Task HandleAsync(HttpContext ctx, SandboxFaults faults, string method, string[] rest, CancellationToken ct)
    {
        var body = method is "POST" or "PUT" ? await RequestReader.ReadBodyAsync(ctx, ct) as JsonObject : null;
        switch (method, rest)
        {
            case ("POST", ["close-watches"]):
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["closed"] = faults.CloseWatches(JsonNodes.GetString(body, "resource")) }, ct);
                return;
            case ("POST", ["expire-history"]):
                faults.ExpireWatchHistory();
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["expired"] = true }, ct);
                return;
            case ("POST", ["gone-storm"]):
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["expired"] = true, ["closed"] = faults.GoneStorm() }, ct);
                return;
            case ("POST", ["fail"]):
                Fail(faults, body);
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["pending"] = faults.PendingFailures }, ct);
                return;
            case ("PUT" or "POST", ["latency"]):
                var ms = Int(body, "milliseconds") ?? 0;
                if (ms < 0)
                {
                    throw ApiException.BadRequest($"milliseconds must not be negative, got {ms}");
                }

                faults.SetLatency(TimeSpan.FromMilliseconds(ms), JsonNodes.GetString(body, "userAgent"));
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["milliseconds"] = ms, ["userAgent"] = faults.LatencyUserAgent }, ct);
                return;
            case ("DELETE", []):
                faults.Reset();
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["reset"] = true }, ct);
                return;
            case ("GET", []):
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject
                {
                    ["pending"] = faults.PendingFailures,
                    ["injected"] = faults.InjectedFailures,
                    ["latencyMilliseconds"] = faults.Latency.TotalMilliseconds,
                    ["latencyUserAgent"] = faults.LatencyUserAgent,
                    ["rules"] = new JsonArray([.. faults.DescribeRules().Select(r => (JsonNode?)JsonValue.Create(r))]),
                }, ct);
                return;
            default:
                throw ApiException.ResourceNotFound();
        }
    }

    /// <summary><c>{"status":500,"count":3}</c> fails the next 3 matching requests; <c>{"status":429,"milliseconds":2000}</c> every one for 2 s.</summary>
    private static void Fail(SandboxFaults faults, JsonObject? body)
    {
        var status = Int(body, "status") ?? 500;
        var (verb, resource, ns, agent) =
            (JsonNodes.GetString(body, "verb"), JsonNodes.GetString(body, "resource"), JsonNodes.GetString(body, "namespace"), JsonNodes.GetString(body, "userAgent"));
        try
        {
            if (Int(body, "milliseconds") is { } ms)
            {
                if (Int(body, "count") is not null)
                {
                    throw ApiException.BadRequest("give either count or milliseconds, not both");
                }

                faults.FailFor(TimeSpan.FromMilliseconds(ms), status, verb, resource, ns, agent);
            }
            else
            {
                faults.FailNext(Int(body, "count") ?? 1, status, verb, resource, ns, agent);
            }
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    private static int? Int(JsonObject? body, string field) =>
        JsonNodes.Int64(body?[field]) is { } n ? (int)Math.Clamp(n, int.MinValue, int.MaxValue) : null;
}
