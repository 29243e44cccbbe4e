using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>
/// The old name of <see cref="JsonNodes"/>, kept only for Schema/, which another change is moving to Handoff.Api (it
/// calls these three helpers). Delete this file when Schema/ has moved; nothing else may use it.
/// </summary>
internal static class Jn
{
    public static string? GetString(JsonNode? node, string property) => JsonNodes.GetString(node, property);

    public static string ScalarText(JsonNode? node) => JsonNodes.ScalarText(node);

    public static void Materialize(JsonNode? node) => JsonNodes.Materialize(node);
}
