using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>Status conditions (pods, nodes, CRDs, Jobs), one per type, as their controllers keep them.</summary>
internal static class StatusConditions
{
    /// <summary>Sets a condition (a null reason or message clears it); <c>lastTransitionTime</c> moves only when the status changes.</summary>
    public static void Set(JsonObject status, string type, string value, string? reason, string? message, string now)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        if (JsonNodes.GetString(existing, "status") != value)
        {
            existing["lastTransitionTime"] = now;
        }

        existing["status"] = value;
        existing["lastProbeTime"] = null;
        SetOrRemove(existing, "reason", reason);
        SetOrRemove(existing, "message", message);
    }

    private static void SetOrRemove(JsonObject condition, string key, string? value)
    {
        if (value is null)
        {
            condition.Remove(key);
        }
        else
        {
            condition[key] = value;
        }
    }

    /// <summary>The condition's status (<c>True</c>, <c>False</c>, <c>Unknown</c>), null when absent.</summary>
    public static string? Status(JsonNode? obj, string type) =>
        (JsonNodes.At(obj, "status", "conditions") as JsonArray)?.OfType<JsonObject>()
            .Where(c => JsonNodes.GetString(c, "type") == type).Select(c => JsonNodes.GetString(c, "status")).FirstOrDefault();
}
