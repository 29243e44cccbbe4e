using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>Fault injection over HTTP, under <c>/sandbox/faults</c> (see <see cref="SandboxFaults"/>).</summary>
internal static class FaultsEndpoint
{
    public static async Task HandleAsync(HttpContext ctx, SandboxFaults faults, string method, string[] rest, CancellationToken ct)
    {
        var body = method is "POST" or "PUT" ? await RequestReader.ReadBodyAsync(ctx, ct) as JsonObject : null;
        switch (method, rest)
        {
            case ("POST", ["close-watches"]):
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["closed"] = faults.CloseAllWatches() }, ct);
                return;
            case ("POST", ["expire-history"]):
                faults.ExpireWatchHistory();
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["expired"] = true }, ct);
                return;
            case ("POST", ["fail"]):
                var count = (int)(JsonNodes.Int64(body?["count"]) ?? 1);
                var status = (int)(JsonNodes.Int64(body?["status"]) ?? 500);
                try
                {
                    faults.FailNext(count, status, JsonNodes.GetString(body, "verb"), JsonNodes.GetString(body, "resource"), JsonNodes.GetString(body, "namespace"));
                }
                catch (ArgumentOutOfRangeException e)
                {
                    throw ApiException.BadRequest(e.Message);
                }

                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["pending"] = faults.PendingFailures }, ct);
                return;
            case ("PUT" or "POST", ["latency"]):
                var ms = (int)(JsonNodes.Int64(body?["milliseconds"]) ?? 0);
                faults.Latency = TimeSpan.FromMilliseconds(ms);
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["milliseconds"] = ms }, ct);
                return;
            case ("DELETE", []):
                faults.Reset();
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["reset"] = true }, ct);
                return;
            case ("GET", []):
                await ResponseWriter.WriteJsonAsync(ctx, new JsonObject { ["pending"] = faults.PendingFailures, ["latencyMilliseconds"] = faults.Latency.TotalMilliseconds }, ct);
                return;
            default:
                throw ApiException.ResourceNotFound();
        }
    }
}
