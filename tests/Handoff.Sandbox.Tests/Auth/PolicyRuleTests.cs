using Handoff.Sandbox.Auth;
using Microsoft.AspNetCore.Http;

namespace Handoff.Sandbox.Tests.Auth;

/// <summary>RBAC's rule matching and the request attributes it is matched against.</summary>
public sealed class PolicyRuleTests
{
    private static readonly UserInfo Someone = new("someone", "", ["system:authenticated"], new Dictionary<string, IReadOnlyList<string>>());

    private static RequestAttributes Resource(string verb, string group, string resource, string subresource = "", string name = "") => new()
    {
        User = Someone,
        Verb = verb,
        IsResourceRequest = true,
        ApiGroup = group,
        Resource = resource,
        Subresource = subresource,
        Name = name,
        Namespace = "ns",
    };

    private static PolicyRule Rule(string[] verbs, string[]? groups = null, string[]? resources = null, string[]? names = null, string[]? urls = null) =>
        new(verbs, groups ?? [], resources ?? [], names ?? [], urls ?? []);

    public static TheoryData<string, bool> ResourceCases => new()
    {
        { "get pods", true },
        { "list pods", true },
        { "delete pods", false },
        { "get pods/status", false },
        { "get deployments", false },
        { "get apps/pods", false },
    };

    [Theory]
    [MemberData(nameof(ResourceCases))]
    public void A_rule_allows_its_verbs_on_its_resources_in_its_groups_and_nothing_else(string request, bool allowed)
    {
        var rule = Rule(["get", "list"], [""], ["pods"]);
        var parts = request.Split(' ');
        var resource = parts[1].Split('/');
        var (group, plural, sub) = parts[1].StartsWith("apps/", StringComparison.Ordinal) ? ("apps", resource[1], "") : ("", resource[0], resource.Length > 1 ? resource[1] : "");
        Assert.Equal(allowed, rule.Allows(Resource(parts[0], group, plural, sub)));
    }

    [Fact]
    public void Wildcards_match_every_verb_group_and_resource_and_star_slash_a_subresource_of_any()
    {
        Assert.True(Rule(["*"], ["*"], ["*"]).Allows(Resource("deletecollection", "handoff.dev", "handofffunctions", "status")));
        Assert.True(Rule(["create"], [""], ["*/binding"]).Allows(Resource("create", "", "pods", "binding")));
        Assert.False(Rule(["create"], [""], ["*/binding"]).Allows(Resource("create", "", "pods")));
        Assert.True(Rule(["update"], ["handoff.dev"], ["handofffunctions/finalizers"]).Allows(Resource("update", "handoff.dev", "handofffunctions", "finalizers")));
        Assert.False(Rule(["update"], ["handoff.dev"], ["handofffunctions"]).Allows(Resource("update", "handoff.dev", "handofffunctions", "finalizers")));
    }

    [Fact]
    public void ResourceNames_allow_only_requests_naming_one_of_them()
    {
        var rule = Rule(["get", "list"], [""], ["configmaps"], names: ["mine"]);
        Assert.True(rule.Allows(Resource("get", "", "configmaps", name: "mine")));
        Assert.False(rule.Allows(Resource("get", "", "configmaps", name: "theirs")));
        Assert.False(rule.Allows(Resource("list", "", "configmaps")));
    }

    [Fact]
    public void NonResourceURLs_match_exactly_or_by_a_trailing_star_and_never_a_resource_request()
    {
        var rule = Rule(["get"], urls: ["/metrics", "/debug/*"]);
        RequestAttributes Path(string verb, string path) => new() { User = Someone, Verb = verb, Path = path };
        Assert.True(rule.Allows(Path("get", "/metrics")));
        Assert.False(rule.Allows(Path("post", "/metrics")));
        Assert.False(rule.Allows(Path("get", "/metrics/extra")));
        Assert.True(rule.Allows(Path("get", "/debug/pprof/heap")));
        Assert.True(Rule(["*"], urls: ["*"]).Allows(Path("delete", "/anything")));
        Assert.False(rule.Allows(Resource("get", "", "metrics")));
    }

    public static TheoryData<string, string, string, string> Requests => new()
    {
        // method path?query → verb group resource/subresource ns/name
        { "GET", "/api/v1/namespaces/ns/pods", "list  pods", "ns/" },
        { "GET", "/api/v1/namespaces/ns/pods?watch=true", "watch  pods", "ns/" },
        { "GET", "/api/v1/namespaces/ns/pods?watch=1&fieldSelector=metadata.name%3Dp", "watch  pods", "ns/p" },
        { "GET", "/api/v1/pods?fieldSelector=metadata.name==p,spec.nodeName=n", "list  pods", "/p" },
        { "GET", "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name!=p", "list  pods", "ns/" },
        { "POST", "/api/v1/namespaces/ns/pods/p/binding", "create  pods/binding", "ns/p" },
        { "DELETE", "/apis/handoff.dev/v1alpha1/namespaces/ns/handofffunctions", "deletecollection handoff.dev handofffunctions", "ns/" },
        { "PATCH", "/apis/handoff.dev/v1alpha1/handoffnodes/n/status", "patch handoff.dev handoffnodes/status", "/n" },
        { "GET", "/api/v1/namespaces/ns", "get  namespaces", "ns/ns" },
        { "PUT", "/api/v1/namespaces/ns/finalize", "update  namespaces/finalize", "ns/ns" },
        { "GET", "/api/v1/nodes", "list  nodes", "/" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Requests_resolve_to_the_attributes_the_api_server_authorizes(string method, string url, string expected, string scope)
    {
        var (path, query) = url.IndexOf('?') is >= 0 and var q ? (url[..q], url[(q + 1)..]) : (url, "");
        var attributes = RequestInfo.Resolve(Someone, method, path, Query(query));
        Assert.True(attributes.IsResourceRequest);
        Assert.Equal(expected, $"{attributes.Verb} {attributes.ApiGroup} {attributes.ResourceWithSubresource}");
        Assert.Equal(scope, attributes.Namespace + "/" + attributes.Name);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/api")]
    [InlineData("/api/v1")]
    [InlineData("/apis/handoff.dev/v1alpha1")]
    [InlineData("/openapi/v3/apis/handoff.dev/v1alpha1")]
    [InlineData("/version")]
    public void Other_paths_are_non_resource_requests_with_the_lower_case_method_as_verb(string path)
    {
        var attributes = RequestInfo.Resolve(Someone, "GET", path, Query(""));
        Assert.False(attributes.IsResourceRequest);
        Assert.Equal(("get", path), (attributes.Verb, attributes.Path));
    }

    private static QueryCollection Query(string query) => new(
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).ToDictionary(kv => kv.Key, kv => kv.Value));
}
