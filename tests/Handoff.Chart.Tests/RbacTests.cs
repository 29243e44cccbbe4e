using System.Text.Json.Serialization;
using Handoff.Chart.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Chart.Tests;

/// <summary>
/// The chart grants exactly what the operator uses: the rendered ClusterRole and Role equal
/// <c>src/Handoff.Operator/Rbac/required-permissions.yaml</c> (kept by the operator next to a test that records
/// every API call it makes), with no wildcards and no access to secrets.
/// </summary>
public sealed class RbacTests
{
    [Fact]
    public async Task ClusterRole_grants_exactly_the_operators_cluster_rules()
    {
        var (clusterRole, _) = await RenderRolesAsync();
        AssertSameGrants(Required().ClusterRules, clusterRole.Rules, "ClusterRole");
    }

    [Fact]
    public async Task With_node_discovery_the_ClusterRole_also_grants_the_discovery_rules()
    {
        var (clusterRole, _) = await RenderRolesAsync("discoverNodes.enabled=true");
        AssertSameGrants(Required().ClusterRules.Concat(Required().DiscoveryRules), clusterRole.Rules, "ClusterRole with discoverNodes.enabled");
    }

    [Fact]
    public async Task Lease_role_grants_exactly_the_operators_namespace_rules_in_the_release_namespace()
    {
        var (_, role) = await RenderRolesAsync();
        AssertSameGrants(Required().NamespaceRules, role.Rules, "Role");
        Assert.Equal(Helm.Namespace, role.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task Bindings_give_the_roles_to_the_operators_service_account()
    {
        var objects = await Helm.RenderAsync([], TestContext.Current.CancellationToken);
        var account = objects.Single(o => o.Kind == "ServiceAccount").As<V1ServiceAccount>();
        var deployment = objects.Single(o => o.Kind == "Deployment").As<V1Deployment>();
        Assert.Equal(account.Metadata.Name, deployment.Spec.Template.Spec.ServiceAccountName);

        var clusterRole = objects.Single(o => o.Kind == "ClusterRole" && o.Name == OperatorClusterRole).As<V1ClusterRole>();
        var clusterBinding = objects.Single(o => o.Kind == "ClusterRoleBinding").As<V1ClusterRoleBinding>();
        Assert.Equal(("ClusterRole", clusterRole.Metadata.Name), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
        var subject = Assert.Single(clusterBinding.Subjects);
        Assert.Equal(("ServiceAccount", account.Metadata.Name, Helm.Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));

        var role = objects.Single(o => o.Kind == "Role").As<V1Role>();
        var binding = objects.Single(o => o.Kind == "RoleBinding").As<V1RoleBinding>();
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", account.Metadata.Name, Helm.Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
    }

    [Fact]
    public async Task No_wildcards_no_secrets_no_escalation()
    {
        var (clusterRole, role) = await RenderRolesAsync();
        foreach (var rule in clusterRole.Rules.Concat(role.Rules))
        {
            var all = rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs).Concat(rule.ResourceNames ?? []);
            Assert.DoesNotContain(all, s => s.Contains('*', StringComparison.Ordinal));
            Assert.DoesNotContain(rule.Resources, r => r.StartsWith("secrets", StringComparison.Ordinal));
            Assert.DoesNotContain(rule.Verbs, v => v is "escalate" or "bind" or "impersonate");
            Assert.Null(rule.NonResourceURLs);
        }
    }

    [Fact]
    public async Task The_metrics_reader_role_grants_get_on_metrics_only_and_is_bound_to_the_subjects_given()
    {
        var ct = TestContext.Current.CancellationToken;
        var reader = (await Helm.RenderAsync([], ct)).Single(o => o.Kind == "ClusterRole" && o.Name != OperatorClusterRole).As<V1ClusterRole>();
        Assert.Equal($"{Helm.Namespace}-handoff-metrics-reader", reader.Metadata.Name);
        var rule = Assert.Single(reader.Rules);
        Assert.Equal(["/metrics"], rule.NonResourceURLs);
        Assert.Equal(["get"], rule.Verbs);
        Assert.Null(rule.Resources);

        var secured = await Helm.RenderAsync([Path.Combine(ChartPaths.TestValues, "secured.yaml")], ct);
        var binding = secured.Single(o => o.Kind == "ClusterRoleBinding" && o.Name == reader.Metadata.Name).As<V1ClusterRoleBinding>();
        Assert.Equal(("ClusterRole", reader.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(
            ["Group system:monitoring rbac.authorization.k8s.io", "ServiceAccount monitoring/prometheus-k8s "],
            binding.Subjects.Select(s => $"{s.Kind} {(s.NamespaceProperty is null ? "" : s.NamespaceProperty + "/")}{s.Name} {s.ApiGroup}").Order(StringComparer.Ordinal));

        // No reader role for plain-HTTP metrics (nothing checks it) or when RBAC is managed elsewhere.
        Assert.DoesNotContain(await Helm.RenderAsync([Path.Combine(ChartPaths.TestValues, "plain-metrics.yaml")], ct), o => o.Name == reader.Metadata.Name);
        Assert.DoesNotContain(await Helm.RenderAsync([], ct, set: ["rbac.create=false"]), o => o.Kind.StartsWith("ClusterRole", StringComparison.Ordinal));
    }

    [Fact]
    public void Required_permissions_file_is_itself_least_privilege()
    {
        var required = Required();
        Assert.NotEmpty(required.ClusterRules);
        Assert.NotEmpty(required.NamespaceRules);
        foreach (var rule in required.ClusterRules.Concat(required.NamespaceRules).Concat(required.DiscoveryRules))
        {
            Assert.DoesNotContain(rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs), s => s.Contains('*', StringComparison.Ordinal));
            Assert.DoesNotContain("secrets", rule.Resources);
        }
    }

    private static void AssertSameGrants(IEnumerable<V1PolicyRule> expected, IEnumerable<V1PolicyRule> actual, string what)
    {
        var want = Grants(expected);
        var got = Grants(actual);
        var missing = want.Except(got).ToList();
        var extra = got.Except(want).ToList();
        Assert.True(
            missing.Count == 0 && extra.Count == 0,
            $"The chart's {what} differs from src/Handoff.Operator/Rbac/required-permissions.yaml.\n"
            + $"  missing (the operator needs it, the chart does not grant it): {string.Join(", ", missing)}\n"
            + $"  extra (granted but not used): {string.Join(", ", extra)}");
    }

    /// <summary>A rule set as (apiGroup, resource, verb) triples, so that equivalent groupings compare equal.</summary>
    private static HashSet<string> Grants(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.SelectMany(r =>
            from g in r.ApiGroups
            from res in r.Resources
            from v in r.Verbs
            select $"{(g.Length == 0 ? "core" : g)}/{res}:{v}")];

    /// <summary>The operator's ClusterRole (the chart also renders the metrics reader's).</summary>
    private static string OperatorClusterRole => $"{Helm.Namespace}-handoff";

    private static async Task<(V1ClusterRole ClusterRole, V1Role Role)> RenderRolesAsync(params string[] set)
    {
        var objects = await Helm.RenderAsync([], TestContext.Current.CancellationToken, set: set);
        return (objects.Single(o => o.Kind == "ClusterRole" && o.Name == OperatorClusterRole).As<V1ClusterRole>(), objects.Single(o => o.Kind == "Role").As<V1Role>());
    }

    private static RequiredPermissions Required()
    {
        Assert.True(File.Exists(ChartPaths.RequiredPermissions), $"{ChartPaths.RequiredPermissions} is missing (owned by the operator).");
        return KubernetesYaml.Deserialize<RequiredPermissions>(File.ReadAllText(ChartPaths.RequiredPermissions), strict: true);
    }

    private sealed class RequiredPermissions
    {
        [JsonPropertyName("clusterRules")]
        public IList<V1PolicyRule> ClusterRules { get; set; } = [];

        [JsonPropertyName("namespaceRules")]
        public IList<V1PolicyRule> NamespaceRules { get; set; } = [];

        [JsonPropertyName("discoveryRules")]
        public IList<V1PolicyRule> DiscoveryRules { get; set; } = [];
    }
}
