using System.Text.Json.Nodes;

namespace Handoff.Sandbox;

/// <summary>A taint a simulated node registers with (<c>{key, value, effect}</c>; effect NoSchedule, PreferNoSchedule or NoExecute).</summary>
public sealed record SandboxTaint(string Key, string? Value, string Effect)
{
    internal JsonObject ToJson()
    {
        var taint = new JsonObject { ["key"] = Key, ["effect"] = Effect };
        if (!string.IsNullOrEmpty(Value))
        {
            taint["value"] = Value;
        }

        return taint;
    }
}
