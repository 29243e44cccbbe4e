using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Scheduling;

/// <summary>
/// Whether a node matches a pod's <c>nodeSelector</c> and its required node affinity (terms ORed, each term's
/// <c>matchExpressions</c> on labels and <c>matchFields</c> on <c>metadata.name</c> ANDed; operators In, NotIn,
/// Exists, DoesNotExist, Gt, Lt), as component-helpers' GetRequiredNodeAffinity(pod).Match(node).
/// </summary>
internal static class NodeAffinity
{
    public const string MismatchReason = "node(s) didn't match Pod's node affinity/selector";

    public static bool Matches(JsonNode? podSpec, JsonObject node)
    {
        var labels = JsonNodes.Labels(node);
        if (JsonNodes.At(podSpec, "nodeSelector") is JsonObject selector)
        {
            foreach (var (key, value) in selector)
            {
                if (labels?[key] is not { } actual || JsonNodes.ScalarText(actual) != JsonNodes.ScalarText(value))
                {
                    return false;
                }
            }
        }

        if (JsonNodes.At(podSpec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms") is not JsonArray terms)
        {
            return true;
        }

        // Terms are ORed; an empty list of terms matches nothing, as in Kubernetes.
        return terms.OfType<JsonObject>().Any(term => TermMatches(term, labels, JsonNodes.ScalarText(JsonNodes.At(node, "metadata", "name"))));
    }

    private static bool TermMatches(JsonObject term, JsonObject? labels, string nodeName)
    {
        var expressions = (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var fields = (term["matchFields"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (expressions.Count == 0 && fields.Count == 0)
        {
            // A term without requirements matches nothing.
            return false;
        }

        return expressions.All(e => RequirementMatches(e, key => labels?[key] is { } v ? JsonNodes.ScalarText(v) : null)) &&
            fields.All(f => RequirementMatches(f, key => key == "metadata.name" ? nodeName : null));
    }

    private static bool RequirementMatches(JsonObject requirement, Func<string, string?> lookup)
    {
        var key = JsonNodes.GetString(requirement, "key") ?? "";
        var values = (requirement["values"] as JsonArray ?? []).Select(JsonNodes.ScalarText).ToList();
        var actual = lookup(key);
        return JsonNodes.GetString(requirement, "operator") switch
        {
            "In" => actual is not null && values.Contains(actual),
            "NotIn" => actual is null || !values.Contains(actual),
            "Exists" => actual is not null,
            "DoesNotExist" => actual is null,
            "Gt" => actual is not null && values.Count == 1 && long.TryParse(actual, out var a) && long.TryParse(values[0], out var b) && a > b,
            "Lt" => actual is not null && values.Count == 1 && long.TryParse(actual, out var c) && long.TryParse(values[0], out var d) && c < d,
            _ => false,
        };
    }
}
