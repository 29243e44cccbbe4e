using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Pods;

/// <summary>A pod's <c>status.phase</c>.</summary>
internal static class PodPhase
{
    public static string? Of(JsonNode? pod) => JsonNodes.GetString(JsonNodes.At(pod, "status"), "phase");

    /// <summary>Succeeded or Failed: the pod is done and holds nothing any more.</summary>
    public static bool IsTerminal(JsonNode? pod) => Of(pod) is "Succeeded" or "Failed";
}
