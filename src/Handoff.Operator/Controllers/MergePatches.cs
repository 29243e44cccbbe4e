using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handoff.Operator.Controllers;

/// <summary>
/// JSON merge patches (RFC 7386) computed as the difference between what an object has and what it should have: keys
/// that disappeared are sent as <c>null</c> (so a resource that left <c>status.allocated</c> is removed, not kept),
/// unchanged keys are not sent, arrays are replaced whole.
/// </summary>
public static class MergePatches
{
    /// <summary>The patch that turns <paramref name="current"/> into <paramref name="desired"/>; null when they are equal.</summary>
    public static JsonNode? Diff(JsonNode? current, JsonNode? desired)
    {
        if (JsonNode.DeepEquals(current, desired))
        {
            return null;
        }

        if (current is not JsonObject from || desired is not JsonObject to)
        {
            return desired?.DeepClone();
        }

        var patch = new JsonObject();
        foreach (var (key, _) in from)
        {
            if (!to.ContainsKey(key))
            {
                patch[key] = null;
            }
        }

        foreach (var (key, value) in to)
        {
            if (!from.TryGetPropertyValue(key, out var old))
            {
                patch[key] = value?.DeepClone();
            }
            else if (!JsonNode.DeepEquals(old, value))
            {
                patch[key] = old is JsonObject && value is JsonObject ? Diff(old, value) : value?.DeepClone();
            }
        }

        return patch;
    }

    /// <summary>
    /// <c>{"metadata":{"resourceVersion":rv},"status":patch}</c>: the resourceVersion makes the API server refuse the
    /// write (409) when the object changed since the status was computed — a stale view never overwrites a newer status.
    /// </summary>
    public static string StatusPatch(JsonNode statusPatch, string? resourceVersion)
    {
        var body = new JsonObject { ["status"] = statusPatch };
        if (!string.IsNullOrEmpty(resourceVersion))
        {
            body["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion };
        }

        return body.ToJsonString(JsonSerializerOptions.Default);
    }
}
