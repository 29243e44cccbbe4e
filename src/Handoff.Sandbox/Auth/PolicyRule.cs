using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>One rule of a Role or ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule), and whether it allows a request.</summary>
internal sealed record PolicyRule(
    IReadOnlyList<string> Verbs, IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames, IReadOnlyList<string> NonResourceUrls)
{
    private const string All = "*";

    public static PolicyRule FromJson(JsonNode? rule) => new(
        Strings(rule, "verbs"), Strings(rule, "apiGroups"), Strings(rule, "resources"), Strings(rule, "resourceNames"), Strings(rule, "nonResourceURLs"));

    public static IReadOnlyList<PolicyRule> ListFromJson(JsonNode? rules) =>
        rules is JsonArray array ? [.. array.Select(FromJson)] : [];

    /// <summary>
    /// RBAC's rule check: for a resource request the verb, the API group, the resource (<c>pods/binding</c> is its own
    /// resource; <c>*</c> matches all, <c>*/binding</c> a subresource of any) and, when the rule lists resourceNames,
    /// the name; for a non-resource request the verb and the path (exact, or a prefix ending in <c>*</c>).
    /// </summary>
    public bool Allows(RequestAttributes request)
    {
        if (!Verbs.Contains(All) && !Verbs.Contains(request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return NonResourceUrls.Any(url => url == All || url == request.Path ||
                (url.EndsWith('*') && request.Path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)));
        }

        var combined = request.ResourceWithSubresource;
        return (ApiGroups.Contains(All) || ApiGroups.Contains(request.ApiGroup))
            && Resources.Any(r => r == All || r == combined || (request.Subresource.Length > 0 && r == "*/" + request.Subresource))
            && (ResourceNames.Count == 0 || ResourceNames.Contains(request.Name));
    }

    /// <summary>The rule as a SelfSubjectRulesReview lists it: a resource rule, or (with nonResourceURLs) a non-resource rule.</summary>
    public JsonObject ToReviewJson()
    {
        static JsonArray Array(IReadOnlyList<string> items) => new([.. items.Select(i => (JsonNode)i)]);
        if (NonResourceUrls.Count > 0)
        {
            return new JsonObject { ["verbs"] = Array(Verbs), ["nonResourceURLs"] = Array(NonResourceUrls) };
        }

        var rule = new JsonObject { ["verbs"] = Array(Verbs), ["apiGroups"] = Array(ApiGroups), ["resources"] = Array(Resources) };
        if (ResourceNames.Count > 0)
        {
            rule["resourceNames"] = Array(ResourceNames);
        }

        return rule;
    }

    private static IReadOnlyList<string> Strings(JsonNode? node, string property) =>
        node?[property] is JsonArray array ? [.. array.Select(JsonNodes.ScalarText)] : [];
}
