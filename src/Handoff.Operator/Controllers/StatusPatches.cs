using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Api.V1Alpha1;
using k8s;

namespace Handoff.Operator.Controllers;

/// <summary>Builds merge patches of <c>/status</c> and keeps conditions' lastTransitionTime stable.</summary>
public static class StatusPatches
{
    /// <summary>
    /// Desired conditions, each keeping the lastTransitionTime of the current condition of the same type when its
    /// status did not change (only a real status change moves the time).
    /// </summary>
    public static List<HandoffCondition> MergeConditions(
        IEnumerable<HandoffCondition>? current, IEnumerable<HandoffCondition> desired, DateTime now, long? generation)
    {
        var old = (current ?? []).GroupBy(c => c.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var result = new List<HandoffCondition>();
        foreach (var d in desired)
        {
            var keep = old.TryGetValue(d.Type, out var o) && o.Status == d.Status && o.LastTransitionTime is not null;
            result.Add(new HandoffCondition
            {
                Type = d.Type,
                Status = d.Status,
                Reason = d.Reason,
                Message = d.Message,
                ObservedGeneration = generation,
                LastTransitionTime = keep ? o!.LastTransitionTime : TruncateToSeconds(now),
            });
        }

        return result;
    }

    public static DateTime TruncateToSeconds(DateTime time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    /// <summary>The status as JSON with every known field present (null where unset), so a merge patch clears it.</summary>
    public static JsonObject ToJson<TStatus>(TStatus status)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(status))!.AsObject();
        foreach (var name in JsonNames<TStatus>.All)
        {
            if (!node.ContainsKey(name))
            {
                node[name] = null;
            }
        }

        return node;
    }

    /// <summary>The JSON names of a status type's properties, read once per type (reflection is slow per call).</summary>
    private static class JsonNames<TStatus>
    {
        public static readonly string[] All = [.. typeof(TStatus).GetProperties()
            .Select(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false)
                .Cast<System.Text.Json.Serialization.JsonPropertyNameAttribute>().FirstOrDefault()?.Name)
            .OfType<string>()];
    }

    /// <summary>Whether two statuses serialize to the same JSON (the write is skipped when they do).</summary>
    public static bool SameJson<TStatus>(TStatus? a, TStatus? b) =>
        JsonNode.DeepEquals(a is null ? null : ToJson(a), b is null ? null : ToJson(b));

    /// <summary>The merge-patch body <c>{"status": {...}}</c>.</summary>
    public static string MergePatch<TStatus>(TStatus status) =>
        new JsonObject { ["status"] = ToJson(status) }.ToJsonString(JsonSerializerOptions.Default);
}
