using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Scheduling;

/// <summary>Taints and tolerations (component-helpers scheduling/corev1 FindMatchingUntoleratedTaint and Toleration.ToleratesTaint).</summary>
internal static class Taints
{
    /// <summary>The node's first taint with one of <paramref name="effects"/> that no toleration of the pod tolerates; null when all are tolerated.</summary>
    public static JsonObject? FirstUntolerated(JsonObject node, JsonNode? podSpec, params string[] effects)
    {
        var tolerations = (JsonNodes.At(podSpec, "tolerations") as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var taint in (JsonNodes.At(node, "spec", "taints") as JsonArray ?? []).OfType<JsonObject>())
        {
            if (effects.Contains(JsonNodes.GetString(taint, "effect")) && !tolerations.Any(t => Tolerates(t, taint)))
            {
                return taint;
            }
        }

        return null;
    }

    /// <summary>
    /// An empty toleration effect matches every effect; an empty key with <c>Exists</c> matches every taint;
    /// <c>Equal</c> (the default operator) compares values, <c>Exists</c> ignores them.
    /// </summary>
    public static bool Tolerates(JsonObject toleration, JsonObject taint)
    {
        var effect = JsonNodes.GetString(toleration, "effect") ?? "";
        if (effect.Length > 0 && effect != JsonNodes.GetString(taint, "effect"))
        {
            return false;
        }

        var key = JsonNodes.GetString(toleration, "key") ?? "";
        var op = JsonNodes.GetString(toleration, "operator") ?? "Equal";
        if (key.Length > 0 && key != JsonNodes.GetString(taint, "key"))
        {
            return false;
        }

        return op switch
        {
            "Exists" => true,
            "Equal" => key.Length > 0 && (JsonNodes.GetString(toleration, "value") ?? "") == (JsonNodes.GetString(taint, "value") ?? ""),
            _ => false,
        };
    }
}
