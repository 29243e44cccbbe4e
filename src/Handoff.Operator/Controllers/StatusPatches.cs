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

    /// <summary>The status as JSON (nulls left out, as the API server stores it).</summary>
    public static JsonNode? ToJson<TStatus>(TStatus? status) =>
        status is null ? null : JsonNode.Parse(KubernetesJson.Serialize(status));
}
