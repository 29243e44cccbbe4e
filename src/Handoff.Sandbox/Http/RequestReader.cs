using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Http;

/// <summary>What a request asks: its body (JSON, YAML or the protobuf kubectl sends), write and delete options, selectors, table output.</summary>
internal static class RequestReader
{
    public static bool IsTrue(string? value) => value is "true" or "1";

    public static FieldValidation ParseValidation(string? value) => value switch
    {
        null or "" or "Warn" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Ignore" => FieldValidation.Ignore,
        _ => throw ApiException.BadRequest($"fieldValidation must be one of Ignore, Warn, Strict, got \"{value}\""),
    };

    public static WriteOptions WriteOptions(IQueryCollection query) =>
        new(ParseValidation(query["fieldValidation"]), query["dryRun"].ToString() == "All");

    public static async Task<JsonNode?> ReadBodyAsync(HttpContext ctx, CancellationToken ct)
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

    public static async Task<JsonObject> ReadObjectAsync(HttpContext ctx, CancellationToken ct) =>
        await ReadBodyAsync(ctx, ct) as JsonObject ?? throw ApiException.BadRequest("the body of the request must be a JSON object");

    public static async Task<DeleteOptions> DeleteOptionsAsync(HttpContext ctx, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var body = await ReadBodyAsync(ctx, ct) as JsonObject;
        var policy = JsonNodes.GetString(body, "propagationPolicy") ?? query["propagationPolicy"].ToString();
        if (policy.Length > 0 && policy is not ("Background" or "Foreground" or "Orphan"))
        {
            throw ApiException.BadRequest($"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
        }

        if (body?["orphanDependents"] is JsonValue od && od.TryGetValue<bool>(out var orphan) && orphan)
        {
            policy = "Orphan";
        }

        var dryRun = query["dryRun"].ToString() == "All" || (body?["dryRun"] is JsonArray d && d.Any(x => JsonNodes.ScalarText(x) == "All"));
        var grace = JsonNodes.Int64(body?["gracePeriodSeconds"]);
        if (grace is null && query["gracePeriodSeconds"].ToString() is { Length: > 0 } graceText)
        {
            grace = long.TryParse(graceText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var g)
                ? g
                : throw ApiException.BadRequest($"invalid gracePeriodSeconds: {graceText}");
        }

        return new DeleteOptions(policy.Length == 0 ? null : policy, JsonNodes.GetString(body?["preconditions"], "uid"), JsonNodes.GetString(body?["preconditions"], "resourceVersion"), dryRun, grace);
    }

    public static bool WantsTable(HttpContext ctx) =>
        ctx.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    public static string IncludeObject(HttpContext ctx) => ctx.Request.Query["includeObject"].ToString() is { Length: > 0 } v ? v : "Metadata";

    public static Query ParseQuery(RequestTarget target, IQueryCollection query)
    {
        var fields = FieldSelector.Parse(query["fieldSelector"], target.Type);
        return new Query(target.Namespace, LabelSelector.Parse(query["labelSelector"]), fields);
    }
}
