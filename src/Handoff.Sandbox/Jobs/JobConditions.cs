using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Jobs;

/// <summary>A Job's conditions as the Job controller keeps them (type, status, probe and transition times, reason, message).</summary>
internal sealed class JobConditions(JsonObject job, string now)
{
    public JsonArray List { get; } = (JsonNodes.At(job, "status", "conditions") as JsonArray)?.DeepClone() as JsonArray ?? [];

    /// <summary>Complete or Failed.</summary>
    public bool Finished => Has("Complete") || Has("Failed");

    private JsonObject? Find(string type) => List.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == type);

    public bool Has(string type) => JsonNodes.GetString(Find(type), "status") == "True";

    public (string Reason, string Message)? Reason(string type) =>
        Find(type) is { } c ? (JsonNodes.GetString(c, "reason") ?? "", JsonNodes.GetString(c, "message") ?? "") : null;

    public DateTimeOffset? TransitionTime(string type) => Has(type) ? KubeTime.ParseTime(Find(type)!["lastTransitionTime"]) : null;

    /// <summary>Sets the condition; returns whether anything changed.</summary>
    public bool Set(string type, string reason, string message, string status = "True")
    {
        var existing = Find(type);
        if (existing is not null && JsonNodes.GetString(existing, "status") == status && JsonNodes.GetString(existing, "reason") == reason)
        {
            return false;
        }

        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastProbeTime"] = now,
            ["lastTransitionTime"] = existing is not null && JsonNodes.GetString(existing, "status") == status ? existing["lastTransitionTime"]?.DeepClone() : now,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (existing is null)
        {
            List.Add(condition);
        }
        else
        {
            List[List.IndexOf(existing)] = condition;
        }

        return true;
    }
}
