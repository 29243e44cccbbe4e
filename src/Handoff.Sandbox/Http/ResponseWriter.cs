using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>Writing answers: objects as stored (in the requested version), Status errors, warnings.</summary>
internal static class ResponseWriter
{
    public static async Task WriteErrorAsync(HttpContext ctx, ApiException e, CancellationToken ct)
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

    public static async Task WriteJsonAsync(HttpContext ctx, JsonNode node, CancellationToken ct, int status = 0)
    {
        if (status != 0)
        {
            ctx.Response.StatusCode = status;
        }

        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(JsonNodes.ToBytes(node), ct);
    }

    public static void AddWarnings(HttpContext ctx, List<string> warnings)
    {
        foreach (var w in warnings)
        {
            ctx.Response.Headers.Append("Warning", "299 - " + JsonSerializer.Serialize(w, JsonNodes.SerializerOptions));
        }
    }

    public static byte[] BytesFor(ResourceType t, StoredObject obj)
    {
        if (!t.IsCustom || JsonNodes.GetString(obj.Node, "apiVersion") == t.ApiVersion)
        {
            return obj.Json;
        }

        var copy = obj.CloneNode();
        copy["apiVersion"] = t.ApiVersion;
        return JsonNodes.ToBytes(copy);
    }
}
