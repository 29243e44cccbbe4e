using System.Net;
using System.Net.Http.Headers;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// Authentication and RBAC as the API server applies them, with its exact wording: 401 without a valid bearer token,
/// 403 naming the user, verb, resource (with subresource), API group and scope, the Role/ClusterRole/binding rules
/// (resourceNames, subresources, namespaces), the RBAC reason of a binding to a missing role, ServiceAccount tokens
/// from the TokenRequest API, TokenReview, SubjectAccessReview, and the OwnerReferencesPermissionEnforcement
/// admission rule (enabled on the k3s of the suite, as OpenShift enables it).
/// </summary>
/// <remarks>
/// A real API server applies RBAC changes from an informer a moment later: every expectation that depends on a
/// binding just made is awaited.
/// </remarks>
public abstract class RbacContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    private static string User(string ns, string sa = "robot") => $"system:serviceaccount:{ns}:{sa}";

    [Fact]
    public async Task A_request_without_a_valid_bearer_token_is_401_Unauthorized()
    {
        var ns = await NamespaceAsync();
        foreach (var token in new[] { null, "not-a-token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" })
        {
            using var client = Fixture.ClientWithToken(token);
            var status = await FailsWith(HttpStatusCode.Unauthorized, () => client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct));
            Assert.Equal(("Unauthorized", "Unauthorized"), (status.Reason, status.Message));
        }
    }

    [Fact]
    public async Task A_service_account_without_bindings_is_forbidden_with_the_api_servers_words()
    {
        var ns = await NamespaceAsync(withCrd: true);
        using var robot = await ServiceAccountClientAsync(ns);
        var user = User(ns);

        var create = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Ct));
        Assert.Equal($"pods is forbidden: User \"{user}\" cannot create resource \"pods\" in API group \"\" in the namespace \"{ns}\"", create.Message);
        Assert.Equal(("Forbidden", "pods"), (create.Reason, create.Details.Kind));

        var get = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ReadNamespacedPodAsync("p", ns, cancellationToken: Ct));
        Assert.Equal($"pods \"p\" is forbidden: User \"{user}\" cannot get resource \"pods\" in API group \"\" in the namespace \"{ns}\"", get.Message);
        Assert.Equal("p", get.Details.Name);

        var nodes = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ListNodeAsync(cancellationToken: Ct));
        Assert.Equal($"nodes is forbidden: User \"{user}\" cannot list resource \"nodes\" in API group \"\" at the cluster scope", nodes.Message);

        var watch = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ListNamespacedPodWithHttpMessagesAsync(ns, watch: true, cancellationToken: Ct));
        Assert.Equal($"pods is forbidden: User \"{user}\" cannot watch resource \"pods\" in API group \"\" in the namespace \"{ns}\"", watch.Message);

        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = "n" } };
        var bind = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.CreateNamespacedPodBindingAsync(binding, "p", ns, cancellationToken: Ct));
        Assert.Equal($"pods \"p\" is forbidden: User \"{user}\" cannot create resource \"pods/binding\" in API group \"\" in the namespace \"{ns}\"", bind.Message);

        var widgets = await FailsWith(HttpStatusCode.Forbidden, () => robot.CustomObjects.ListNamespacedCustomObjectAsync(TestData.Group, TestData.Version, ns, TestData.Plural, cancellationToken: Ct));
        Assert.Equal($"widgets.sandbox.test is forbidden: User \"{user}\" cannot list resource \"widgets\" in API group \"sandbox.test\" in the namespace \"{ns}\"", widgets.Message);
        Assert.Equal(("sandbox.test", "widgets"), (widgets.Details.Group, widgets.Details.Kind));

        var status = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "p", ns, cancellationToken: Ct));
        Assert.Equal($"pods \"p\" is forbidden: User \"{user}\" cannot patch resource \"pods/status\" in API group \"\" in the namespace \"{ns}\"", status.Message);

        var (code, body) = await RawGetAsync("/metrics", await TokenAsync(ns, "robot"));
        Assert.Equal(HttpStatusCode.Forbidden, code);
        var metrics = KubernetesJson.Deserialize<V1Status>(body);
        Assert.Equal($"forbidden: User \"{user}\" cannot get path \"/metrics\"", metrics.Message);
    }

    [Fact]
    public async Task A_role_grants_its_verbs_on_its_resources_in_its_namespace_only()
    {
        var ns = await NamespaceAsync();
        var other = await Fixture.NewNamespaceAsync();
        using var robot = await ServiceAccountClientAsync(ns);
        await BindAsync(ns, "pod-maker", Rule([""], ["pods"], ["create", "get"]));

        await AllowedAsync(() => robot.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Ct));
        Assert.Equal("p", (await robot.CoreV1.ReadNamespacedPodAsync("p", ns, cancellationToken: Ct)).Metadata.Name);

        var delete = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.DeleteNamespacedPodAsync("p", ns, cancellationToken: Ct));
        Assert.Equal($"pods \"p\" is forbidden: User \"{User(ns)}\" cannot delete resource \"pods\" in API group \"\" in the namespace \"{ns}\"", delete.Message);
        var list = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct));
        Assert.Equal($"pods is forbidden: User \"{User(ns)}\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", list.Message);
        var elsewhere = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.CreateNamespacedPodAsync(Pod("p"), other, cancellationToken: Ct));
        Assert.Equal($"pods is forbidden: User \"{User(ns)}\" cannot create resource \"pods\" in API group \"\" in the namespace \"{other}\"", elsewhere.Message);
    }

    [Fact]
    public async Task A_subresource_is_a_resource_of_its_own_and_resourceNames_limit_a_rule_to_those_objects()
    {
        var ns = await NamespaceAsync();
        var node = await FirstNodeAsync();
        using var robot = await ServiceAccountClientAsync(ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "mine" } }, ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "theirs" } }, ns, cancellationToken: Ct);
        var mine = Rule([""], ["configmaps"], ["get"]);
        mine.ResourceNames = ["mine"];
        await BindAsync(ns, "scheduler", Rule([""], ["pods"], ["*"]), mine);

        await AllowedAsync(() => robot.CoreV1.ReadNamespacedConfigMapAsync("mine", ns, cancellationToken: Ct));
        var theirs = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ReadNamespacedConfigMapAsync("theirs", ns, cancellationToken: Ct));
        Assert.Equal($"configmaps \"theirs\" is forbidden: User \"{User(ns)}\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"{ns}\"", theirs.Message);
        await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct));

        // "pods" with every verb does not cover pods/binding.
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = node } };
        await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.CreateNamespacedPodBindingAsync(binding, "p", ns, cancellationToken: Ct));
        await BindAsync(ns, "binder", Rule([""], ["pods/binding"], ["create"]));
        await AllowedAsync(() => robot.CoreV1.CreateNamespacedPodBindingAsync(binding, "p", ns, cancellationToken: Ct));
        Assert.Equal(node, (await robot.CoreV1.ReadNamespacedPodAsync("p", ns, cancellationToken: Ct)).Spec.NodeName);
    }

    [Fact]
    public async Task A_cluster_role_bound_in_a_namespace_applies_there_and_a_cluster_role_binding_everywhere()
    {
        var ns = await NamespaceAsync();
        var name = "contract-" + ns;
        using var robot = await ServiceAccountClientAsync(ns);
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = name }, Rules = [Rule([""], ["configmaps", "nodes"], ["list"])] }, cancellationToken: Ct);
        try
        {
            await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(RoleBinding("local", "ClusterRole", name, ns), ns, cancellationToken: Ct);
            await AllowedAsync(() => robot.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct));
            // A RoleBinding grants nothing cluster-scoped, even through a ClusterRole.
            await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ListNodeAsync(cancellationToken: Ct));

            await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(
                new V1ClusterRoleBinding { Metadata = new V1ObjectMeta { Name = name }, RoleRef = RoleRef("ClusterRole", name), Subjects = [Robot(ns)] }, cancellationToken: Ct);
            await AllowedAsync(() => robot.CoreV1.ListNodeAsync(cancellationToken: Ct));
            await AllowedAsync(() => robot.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct));
        }
        finally
        {
            await IgnoreNotFound(() => Client.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(name, cancellationToken: Ct));
            await IgnoreNotFound(() => Client.RbacAuthorizationV1.DeleteClusterRoleAsync(name, cancellationToken: Ct));
        }
    }

    [Fact]
    public async Task A_binding_to_a_missing_role_adds_the_RBAC_error_to_the_refusal()
    {
        var ns = await NamespaceAsync();
        using var robot = await ServiceAccountClientAsync(ns);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(RoleBinding("dangling", "Role", "missing", ns), ns, cancellationToken: Ct);
        var expected = $"pods is forbidden: User \"{User(ns)}\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\": RBAC: role.rbac.authorization.k8s.io \"missing\" not found";
        var status = await Wait.UntilAsync(
            () => FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)),
            s => s.Message == expected, TimeSpan.FromSeconds(30), "the RBAC error in the refusal");
        Assert.Equal(expected, status.Message);
    }

    [Fact]
    public async Task Tokens_come_from_the_TokenRequest_API_and_TokenReview_names_their_service_account()
    {
        var ns = await NamespaceAsync();
        var account = await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns, cancellationToken: Ct);
        var request = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 1200 } }, "robot", ns, cancellationToken: Ct);
        Assert.False(string.IsNullOrEmpty(request.Status.Token));
        var lifetime = request.Status.ExpirationTimestamp!.Value - DateTime.UtcNow;
        Assert.InRange(lifetime, TimeSpan.FromSeconds(1100), TimeSpan.FromSeconds(1210));
        Assert.NotEmpty(request.Spec.Audiences);

        var review = await Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = request.Status.Token } }, cancellationToken: Ct);
        Assert.True(review.Status.Authenticated);
        Assert.Equal(User(ns), review.Status.User.Username);
        Assert.Equal(account.Metadata.Uid, review.Status.User.Uid);
        Assert.Superset(new HashSet<string> { "system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated" }, review.Status.User.Groups.ToHashSet());
        Assert.Equal(request.Spec.Audiences.ToHashSet(), review.Status.Audiences.ToHashSet());

        var bad = await Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "not-a-token" } }, cancellationToken: Ct);
        Assert.NotEqual(true, bad.Status.Authenticated);
        Assert.False(string.IsNullOrEmpty(bad.Status.Error));

        // A token for another audience is not the API server's.
        var other = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = ["https://elsewhere.example"] } }, "robot", ns, cancellationToken: Ct);
        using (var elsewhere = Fixture.ClientWithToken(other.Status.Token))
        {
            await FailsWith(HttpStatusCode.Unauthorized, () => elsewhere.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct));
        }

        var forOther = await Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = other.Status.Token, Audiences = ["https://elsewhere.example"] } }, cancellationToken: Ct);
        Assert.True(forOther.Status.Authenticated);
        Assert.Equal(["https://elsewhere.example"], forOther.Status.Audiences);

        var tooShort = await FailsWith((HttpStatusCode)422, () => Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 60 } }, "robot", ns, cancellationToken: Ct));
        Assert.Equal("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes", tooShort.Message);
        var ghost = await FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "ghost", ns, cancellationToken: Ct));
        Assert.Equal("serviceaccounts \"ghost\" not found", ghost.Message);
    }

    [Fact]
    public async Task Deleting_a_service_account_invalidates_its_tokens()
    {
        var ns = await NamespaceAsync();
        using var robot = await ServiceAccountClientAsync(ns);
        await BindAsync(ns, "reader", Rule([""], ["configmaps"], ["list"]));
        await AllowedAsync(() => robot.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct));
        await Client.CoreV1.DeleteNamespacedServiceAccountAsync("robot", ns, cancellationToken: Ct);
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    await robot.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct);
                    return HttpStatusCode.OK;
                }
                catch (HttpOperationException e)
                {
                    return e.Response.StatusCode;
                }
            },
            code => code == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(30), "the deleted account's token refused");
    }

    [Fact]
    public async Task SubjectAccessReview_answers_for_any_user_with_RBACs_reason()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns, cancellationToken: Ct);
        await BindAsync(ns, "reader", Rule([""], ["pods"], ["get"]));
        V1SubjectAccessReview Review(string verb) => new()
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = User(ns),
                Groups = ["system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"],
                ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = ns, Verb = verb, Resource = "pods", Name = "p" },
            },
        };

        var allowed = await Wait.UntilAsync(() => Client.AuthorizationV1.CreateSubjectAccessReviewAsync(Review("get"), cancellationToken: Ct), r => r.Status.Allowed, TimeSpan.FromSeconds(30), "get allowed");
        Assert.Equal($"RBAC: allowed by RoleBinding \"reader/{ns}\" of Role \"reader\" to ServiceAccount \"robot/{ns}\"", allowed.Status.Reason);
        var denied = await Client.AuthorizationV1.CreateSubjectAccessReviewAsync(Review("delete"), cancellationToken: Ct);
        Assert.False(denied.Status.Allowed);
        Assert.NotEqual(true, denied.Status.Denied);

        var nonResource = await Client.AuthorizationV1.CreateSubjectAccessReviewAsync(
            new V1SubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = User(ns), Groups = ["system:authenticated"], NonResourceAttributes = new V1NonResourceAttributes { Path = "/metrics", Verb = "get" } } },
            cancellationToken: Ct);
        Assert.False(nonResource.Status.Allowed);
    }

    [Fact]
    public async Task Setting_blockOwnerDeletion_needs_update_on_the_owners_finalizers()
    {
        var ns = await NamespaceAsync();
        using var robot = await ServiceAccountClientAsync(ns);
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns, cancellationToken: Ct);
        await BindAsync(ns, "maker", Rule([""], ["configmaps"], ["create", "get", "update"]));
        V1ConfigMap Child(string name, bool block) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, BlockOwnerDeletion = block }],
            },
        };

        // Without blockOwnerDeletion, owning needs nothing more than create.
        await AllowedAsync(() => robot.CoreV1.CreateNamespacedConfigMapAsync(Child("free", block: false), ns, cancellationToken: Ct));
        var blocked = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.CreateNamespacedConfigMapAsync(Child("blocking", block: true), ns, cancellationToken: Ct));
        Assert.Equal("configmaps \"blocking\" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>", blocked.Message);

        // Changing the references of an existing object also needs delete on it.
        var free = await robot.CoreV1.ReadNamespacedConfigMapAsync("free", ns, cancellationToken: Ct);
        free.Metadata.OwnerReferences = null;
        var disown = await FailsWith(HttpStatusCode.Forbidden, () => robot.CoreV1.ReplaceNamespacedConfigMapAsync(free, "free", ns, cancellationToken: Ct));
        Assert.Equal("configmaps \"free\" is forbidden: cannot set an ownerRef on a resource you can't delete: , <nil>", disown.Message);

        await BindAsync(ns, "finalizer", Rule([""], ["configmaps/finalizers"], ["update"]));
        await AllowedAsync(() => robot.CoreV1.CreateNamespacedConfigMapAsync(Child("blocking", block: true), ns, cancellationToken: Ct));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private async Task<string> TokenAsync(string ns, string serviceAccount) =>
        (await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, serviceAccount, ns, cancellationToken: Ct)).Status.Token;

    /// <summary>Creates the ServiceAccount <c>robot</c> and returns a client that authenticates with a token of it.</summary>
    private async Task<Kubernetes> ServiceAccountClientAsync(string ns)
    {
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns, cancellationToken: Ct);
        return Fixture.ClientWithToken(await TokenAsync(ns, "robot"));
    }

    private static V1PolicyRule Rule(string[] groups, string[] resources, string[] verbs) => new() { ApiGroups = groups, Resources = resources, Verbs = verbs };

    private static V1RoleRef RoleRef(string kind, string name) => new() { ApiGroup = "rbac.authorization.k8s.io", Kind = kind, Name = name };

    private static Rbacv1Subject Robot(string ns) => new() { Kind = "ServiceAccount", Name = "robot", NamespaceProperty = ns };

    private static V1RoleBinding RoleBinding(string name, string kind, string role, string ns) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, RoleRef = RoleRef(kind, role), Subjects = [Robot(ns)] };

    /// <summary>A Role with the rules, bound to <c>robot</c>, both named <paramref name="name"/>.</summary>
    private async Task BindAsync(string ns, string name, params V1PolicyRule[] rules)
    {
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = name }, Rules = rules }, ns, cancellationToken: Ct);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(RoleBinding(name, "Role", name, ns), ns, cancellationToken: Ct);
    }

    /// <summary>Retries <paramref name="action"/> while it is refused with 403 (a new binding takes a moment to apply on a real cluster).</summary>
    private static async Task AllowedAsync(Func<Task> action)
    {
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    await action();
                    return "";
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
                {
                    return e.Response.Content;
                }
            },
            refusal => refusal.Length == 0, TimeSpan.FromSeconds(30), "allowed");
    }

    private static async Task IgnoreNotFound(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>A GET of a non-resource path with a bearer token (any server certificate is accepted: a test cluster's is self-signed).</summary>
    private async Task<(HttpStatusCode Code, string Body)> RawGetAsync(string path, string token)
    {
        var host = KubernetesClientConfiguration.BuildConfigFromConfigFile(Fixture.KubeconfigPath).Host.TrimEnd('/');
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}

/// <summary>Against the emulator with RBAC enforced.</summary>
public sealed class EmulatorRbacContractTests(RbacEmulatorFixture fixture) : RbacContract<RbacEmulatorFixture>(fixture), IClassFixture<RbacEmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sRbacContractTests(K3sFixture fixture) : RbacContract<K3sFixture>(fixture);
