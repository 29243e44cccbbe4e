using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>
/// The default ClusterRoles and ClusterRoleBindings every cluster's API server creates (its bootstrap policy) that
/// matter without aggregation: <c>cluster-admin</c> for <c>system:masters</c>; <c>system:discovery</c>,
/// <c>system:basic-user</c> (self reviews: <c>kubectl auth can-i</c>, <c>kubectl auth whoami</c>) and
/// <c>system:public-info-viewer</c> for every authenticated user. Created when RBAC is turned on.
/// </summary>
internal static class BootstrapPolicy
{
    private static readonly string[] DiscoveryUrls =
        ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"];

    private static readonly string[] PublicInfoUrls = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

    public static void Create(ApiEngine engine)
    {
        var roles = engine.Builtin(RbacAuthorizer.Group, "clusterroles");
        var bindings = engine.Builtin(RbacAuthorizer.Group, "clusterrolebindings");
        void Add(string name, JsonArray rules, params string[] groups)
        {
            engine.Create(roles, null, new JsonObject { ["metadata"] = Meta(name), ["rules"] = rules }, WriteOptions.Internal, []);
            engine.Create(bindings, null, new JsonObject
            {
                ["metadata"] = Meta(name),
                ["roleRef"] = new JsonObject { ["apiGroup"] = RbacAuthorizer.Group, ["kind"] = "ClusterRole", ["name"] = name },
                ["subjects"] = new JsonArray([.. groups.Select(g => (JsonNode)new JsonObject { ["apiGroup"] = RbacAuthorizer.Group, ["kind"] = "Group", ["name"] = g })]),
            }, WriteOptions.Internal, []);
        }

        Add("cluster-admin", [Rule(["*"], ["*"], ["*"]), NonResource(["*"], ["*"])], UserInfo.MastersGroup);
        Add("system:discovery", [NonResource(DiscoveryUrls, ["get"])], UserInfo.AuthenticatedGroup);
        Add("system:basic-user",
            [Rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]), Rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])],
            UserInfo.AuthenticatedGroup);
        Add("system:public-info-viewer", [NonResource(PublicInfoUrls, ["get"])], UserInfo.AuthenticatedGroup, UserInfo.UnauthenticatedGroup);
    }

    private static JsonObject Meta(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)i)]);

    private static JsonObject Rule(string[] groups, string[] resources, string[] verbs) =>
        new() { ["apiGroups"] = Strings(groups), ["resources"] = Strings(resources), ["verbs"] = Strings(verbs) };

    private static JsonObject NonResource(string[] urls, string[] verbs) => new() { ["nonResourceURLs"] = Strings(urls), ["verbs"] = Strings(verbs) };
}
