using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Sandbox.Tests.Auth;

/// <summary>
/// What only the sandbox has around RBAC (the contract suite pins what a cluster does): RBAC off by default, its
/// administrator, the bootstrap roles, token lifetimes on the sandbox's clock, tokens bound to a pod, the rules
/// review, and its own endpoints.
/// </summary>
public sealed class SandboxRbacTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(SandboxServer Server, Kubernetes Admin)> StartAsync(bool rbac, TimeProvider? time = null)
    {
        var server = await SandboxServer.StartAsync(new SandboxOptions { Rbac = rbac, Nodes = [], TimeProvider = time ?? TimeProvider.System }, Ct);
        var admin = server.CreateClient();
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, "default", cancellationToken: Ct);
        return (server, admin);
    }

    private static async Task<HttpStatusCode> CodeOf(Func<Task> call)
    {
        try
        {
            await call();
            return HttpStatusCode.OK;
        }
        catch (HttpOperationException e)
        {
            return e.Response.StatusCode;
        }
    }

    [Fact]
    public async Task Without_rbac_every_request_is_allowed_with_or_without_a_token_and_reviews_say_so()
    {
        var (server, admin) = await StartAsync(rbac: false);
        await using var _ = server;
        using var anonymous = server.CreateClient(token: "");
        using var robot = server.CreateClient(await server.CreateTokenAsync("default", "robot", cancellationToken: Ct));
        Assert.False(server.RbacEnabled);
        Assert.Equal(HttpStatusCode.OK, await CodeOf(() => anonymous.CoreV1.ListNodeAsync(cancellationToken: Ct)));
        Assert.Equal(HttpStatusCode.OK, await CodeOf(() => robot.CoreV1.DeleteCollectionNamespacedPodAsync("default", cancellationToken: Ct)));

        var review = await admin.AuthorizationV1.CreateSubjectAccessReviewAsync(
            new V1SubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = "anyone", ResourceAttributes = new V1ResourceAttributes { Verb = "delete", Resource = "nodes" } } }, cancellationToken: Ct);
        Assert.True(review.Status.Allowed);
        // Tokens are still real: a review tells who they are.
        var who = await robot.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview(), cancellationToken: Ct);
        Assert.Equal("system:serviceaccount:default:robot", who.Status.UserInfo.Username);
        Assert.Empty((await admin.RbacAuthorizationV1.ListClusterRoleAsync(cancellationToken: Ct)).Items);
        Assert.Empty(server.Authorizations.Snapshot());
        Assert.Equal("http", server.BaseAddress.Scheme);
    }

    [Fact]
    public async Task With_rbac_the_administrator_may_do_anything_and_every_authenticated_user_may_discover_and_review_itself()
    {
        var (server, admin) = await StartAsync(rbac: true);
        await using var _ = server;
        using var robot = server.CreateClient(await server.CreateTokenAsync("default", "robot", cancellationToken: Ct));

        var roles = (await admin.RbacAuthorizationV1.ListClusterRoleAsync(cancellationToken: Ct)).Items.Select(r => r.Metadata.Name);
        Assert.Equal(["cluster-admin", "system:basic-user", "system:discovery", "system:public-info-viewer"], roles.Order(StringComparer.Ordinal));
        Assert.Equal("https", server.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RawAsync(server, HttpMethod.Get, "/version", "")).Code);
        Assert.Equal("system:admin", (await admin.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview(), cancellationToken: Ct)).Status.UserInfo.Username);

        var can = await robot.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(
            new V1SelfSubjectAccessReview { Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = "default", Verb = "list", Resource = "pods" } } },
            cancellationToken: Ct);
        Assert.False(can.Status.Allowed);
        Assert.Equal(HttpStatusCode.OK, (await RawAsync(server, HttpMethod.Get, "/apis", token: await server.CreateTokenAsync("default", "robot", cancellationToken: Ct))).Code);

        // Non-resource paths are authorized like any other; the sandbox's faults are not on the API port at all (the
        // admin port serves them), so even the administrator finds nothing there.
        var faults = await RawAsync(server, HttpMethod.Delete, "/sandbox/faults", await server.CreateTokenAsync("default", "robot", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, faults.Code);
        Assert.Contains("forbidden: User \\\"system:serviceaccount:default:robot\\\" cannot delete path \\\"/sandbox/faults\\\"", faults.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await RawAsync(server, HttpMethod.Delete, "/sandbox/faults", null)).Code);
    }

    [Fact]
    public async Task A_token_expires_on_the_sandboxs_clock_with_a_minute_of_leeway()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (server, admin) = await StartAsync(rbac: true, time);
        await using var _ = server;
        await admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "robot-admin" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "cluster-admin" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot", NamespaceProperty = "default" }],
        }, cancellationToken: Ct);
        var token = await server.CreateTokenAsync("default", "robot", TimeSpan.FromMinutes(10), cancellationToken: Ct);
        using var robot = server.CreateClient(token);
        Assert.Equal(HttpStatusCode.OK, await CodeOf(() => robot.CoreV1.ListNodeAsync(cancellationToken: Ct)));
        time.Advance(TimeSpan.FromMinutes(10.5));
        Assert.Equal(HttpStatusCode.OK, await CodeOf(() => robot.CoreV1.ListNodeAsync(cancellationToken: Ct)));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await CodeOf(() => robot.CoreV1.ListNodeAsync(cancellationToken: Ct)));
        var review = await admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: Ct);
        Assert.Equal("[invalid bearer token, service account token has expired]", review.Status.Error);

        var ex = await Assert.ThrowsAsync<SandboxException>(() => server.CreateTokenAsync("default", "robot", TimeSpan.FromMinutes(5), cancellationToken: Ct));
        Assert.Equal(422, ex.StatusCode);
    }

    [Fact]
    public async Task A_token_bound_to_a_pod_names_it_and_dies_with_it()
    {
        var (server, admin) = await StartAsync(rbac: true);
        await using var _ = server;
        var pod = await admin.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { ServiceAccountName = "robot", SchedulerName = "nobody", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, "default", cancellationToken: Ct);
        var request = await admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { BoundObjectRef = new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "p" } },
        }, "robot", "default", cancellationToken: Ct);
        Assert.Equal(pod.Metadata.Uid, request.Spec.BoundObjectRef.Uid);
        var review = await admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = request.Status.Token } }, cancellationToken: Ct);
        Assert.Equal(["p"], review.Status.User.Extra["authentication.kubernetes.io/pod-name"]);
        Assert.Equal([pod.Metadata.Uid], review.Status.User.Extra["authentication.kubernetes.io/pod-uid"]);

        await admin.CoreV1.DeleteNamespacedPodAsync("p", "default", gracePeriodSeconds: 0, cancellationToken: Ct);
        review = await admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = request.Status.Token } }, cancellationToken: Ct);
        Assert.NotEqual(true, review.Status.Authenticated);
        Assert.Equal("[invalid bearer token, pods \"p\" not found]", review.Status.Error);

        var otherAccount = await Assert.ThrowsAsync<HttpOperationException>(() => admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { BoundObjectRef = new V1BoundObjectReference { Kind = "ConfigMap", ApiVersion = "v1", Name = "x" } } },
            "robot", "default", cancellationToken: Ct));
        Assert.Contains("cannot bind token to object of type /v1, Kind=ConfigMap", otherAccount.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rules_review_lists_what_is_bound_and_a_named_list_needs_only_the_name()
    {
        var (server, admin) = await StartAsync(rbac: true);
        await using var _ = server;
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "one-map" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = ["mine"], Verbs = ["get", "list", "watch"] }],
        }, "default", cancellationToken: Ct);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "one-map" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "one-map" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot" }],
        }, "default", cancellationToken: Ct);
        await admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "mine" } }, "default", cancellationToken: Ct);
        using var robot = server.CreateClient(await server.CreateTokenAsync("default", "robot", cancellationToken: Ct));

        var rules = await robot.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(new V1SelfSubjectRulesReview { Spec = new V1SelfSubjectRulesReviewSpec { NamespaceProperty = "default" } }, cancellationToken: Ct);
        Assert.Contains(rules.Status.ResourceRules, r => r.Resources.SequenceEqual(["configmaps"]) && r.ResourceNames.SequenceEqual(["mine"]));
        Assert.Contains(rules.Status.ResourceRules, r => r.Resources.Contains("selfsubjectaccessreviews"));
        Assert.Contains(rules.Status.NonResourceRules, r => r.NonResourceURLs.Contains("/version"));
        Assert.False(rules.Status.Incomplete);

        // A list or watch pinned to one name by a field selector is a request about that name, as in the API server.
        Assert.Single((await robot.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=mine", cancellationToken: Ct)).Items);
        Assert.Equal(HttpStatusCode.Forbidden, await CodeOf(() => robot.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct)));

        // The authorization log saw both, and the self review.
        var robotDecisions = server.Authorizations.Snapshot().Keys.Where(d => d.User == "system:serviceaccount:default:robot").ToList();
        Assert.Contains(new SandboxAuthorization("system:serviceaccount:default:robot", "list", "", "configmaps", "default", "", true, "request"), robotDecisions);
        Assert.Equal([new SandboxAuthorization("system:serviceaccount:default:robot", "list", "", "configmaps", "default", "", false, "request")], server.Authorizations.Denied());
        Assert.Contains(robotDecisions, d => d.Resource == "selfsubjectrulesreviews" && d.Allowed);
    }

    private static async Task<(HttpStatusCode Code, string Body)> RawAsync(SandboxServer server, HttpMethod method, string path, string? token)
    {
        using var http = server.CreateHttpClient(token);
        using var response = await http.SendAsync(new HttpRequestMessage(method, new Uri(path, UriKind.Relative)), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
