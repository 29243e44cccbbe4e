using System.Text.RegularExpressions;
using Handoff.Sandbox;
using Handoff.Testing;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Rbac;

/// <summary>
/// The chart's RBAC for the operator, as <c>helm template</c> renders it for a release in a namespace: its
/// ServiceAccount, ClusterRole and ClusterRoleBinding, lease Role and RoleBinding. Installed in an RBAC-enabled sandbox,
/// it gives the operator exactly the identity and permissions a <c>helm install</c> gives it (a token of that
/// ServiceAccount), so an API call the chart does not grant is refused as on a cluster.
/// </summary>
public sealed partial record ChartRbac(
    V1ServiceAccount ServiceAccount, V1ClusterRole ClusterRole, V1ClusterRoleBinding ClusterRoleBinding, V1Role Role, V1RoleBinding RoleBinding,
    V1ClusterRole MetricsReader)
{
    public const string Release = "handoff";

    private static readonly TimeSpan HelmTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The user name the operator's token authenticates as.</summary>
    public string User => $"system:serviceaccount:{ServiceAccount.Metadata.NamespaceProperty}:{ServiceAccount.Metadata.Name}";

    /// <summary>
    /// Renders the chart with <c>helm template</c> for a release in <paramref name="ns"/>, with <paramref name="set"/>
    /// values (<c>--set</c>), e.g. <c>discoverNodes.enabled=true</c> (skips the test with the reason when helm is missing).
    /// </summary>
    public static async Task<ChartRbac> RenderAsync(string ns, CancellationToken cancellationToken, IReadOnlyList<string>? set = null)
    {
        var result = await Processes.RunAsync(
            Tools.Helm, ["template", Release, RepoPaths.Chart, "--namespace", ns, .. (set ?? []).SelectMany(v => new[] { "--set", v })],
            HelmTimeout, cancellationToken, environment: HelmHome());
        Assert.True(result.Succeeded, result.ToString());
        var documents = DocumentSeparator().Split(result.Stdout)
            .Where(d => d.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')))
            .ToList();
        List<T> All<T>(string kind) => [.. documents.Where(d => Regex.IsMatch(d, $"^kind: {kind}$", RegexOptions.Multiline)).Select(d => KubernetesYaml.Deserialize<T>(d, strict: true))];
        var account = All<V1ServiceAccount>("ServiceAccount").Single();
        bool IsOperator(Rbacv1Subject s) => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name && s.NamespaceProperty == ns;
        // The operator's bindings are the ones naming its ServiceAccount (the chart may bind other roles to scrapers).
        var clusterBinding = All<V1ClusterRoleBinding>("ClusterRoleBinding").Single(b => b.Subjects.Any(IsOperator));
        var binding = All<V1RoleBinding>("RoleBinding").Single(b => b.Subjects.Any(IsOperator));
        return new ChartRbac(
            account,
            All<V1ClusterRole>("ClusterRole").Single(r => r.Metadata.Name == clusterBinding.RoleRef.Name),
            clusterBinding,
            All<V1Role>("Role").Single(r => r.Metadata.Name == binding.RoleRef.Name),
            binding,
            All<V1ClusterRole>("ClusterRole").Single(r => r.Metadata.Name != clusterBinding.RoleRef.Name));
    }

    /// <summary>
    /// Applies the RBAC objects (the namespace must exist), the metrics reader's ClusterRole included, and returns a
    /// token of the ServiceAccount. Rules may be narrowed first (<see cref="Without"/>) to prove they are needed.
    /// </summary>
    public async Task<string> InstallAsync(SandboxServer server, CancellationToken cancellationToken)
    {
        Assert.True(server.RbacEnabled, "the sandbox must enforce RBAC for the chart's RBAC to mean anything");
        foreach (var obj in new IKubernetesObject[] { ServiceAccount, ClusterRole, ClusterRoleBinding, Role, RoleBinding, MetricsReader })
        {
            await server.ApplyAsync(KubernetesYaml.Serialize(obj), "chart", cancellationToken);
        }

        return await server.CreateTokenAsync(ServiceAccount.Metadata.NamespaceProperty, ServiceAccount.Metadata.Name, TimeSpan.FromHours(2), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Binds the chart's metrics reader ClusterRole to a new ServiceAccount of <paramref name="ns"/> (what
    /// <c>metrics.reader.subjects</c> does for Prometheus) and returns a token of it.
    /// </summary>
    public async Task<string> ScraperTokenAsync(SandboxServer server, string ns, string name, CancellationToken cancellationToken)
    {
        await server.ApplyAsync(
            $$"""
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: {{name}}, namespace: {{ns}}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: {{ns}}-{{name}}-metrics-reader}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {{MetricsReader.Metadata.Name}}}
            subjects: [{kind: ServiceAccount, name: {{name}}, namespace: {{ns}}}]
            """,
            "scraper", cancellationToken);
        return await server.CreateTokenAsync(ns, name, cancellationToken: cancellationToken);
    }

    /// <summary>Every rule of the chart's RBAC: the ClusterRole's, then the lease Role's, each with where it comes from.</summary>
    public IReadOnlyList<(string Role, int Index, V1PolicyRule Rule)> Rules =>
        [.. ClusterRole.Rules.Select((r, i) => ("ClusterRole", i, r)), .. Role.Rules.Select((r, i) => ("Role", i, r))];

    /// <summary>The same RBAC without one rule of the ClusterRole or the Role.</summary>
    public ChartRbac Without(string role, int index) => role == "ClusterRole"
        ? this with { ClusterRole = new V1ClusterRole { ApiVersion = ClusterRole.ApiVersion, Kind = ClusterRole.Kind, Metadata = ClusterRole.Metadata, Rules = [.. ClusterRole.Rules.Where((_, i) => i != index)] } }
        : this with { Role = new V1Role { ApiVersion = Role.ApiVersion, Kind = Role.Kind, Metadata = Role.Metadata, Rules = [.. Role.Rules.Where((_, i) => i != index)] } };

    public static string Describe(V1PolicyRule rule) =>
        $"{string.Join(",", rule.Verbs)} on {string.Join(",", rule.Resources ?? rule.NonResourceURLs ?? [])} in API group(s) \"{string.Join(",", rule.ApiGroups ?? [])}\"";

    /// <summary>helm's cache/config/data under a temp folder, so that tests never touch the user's repositories.</summary>
    private static Dictionary<string, string?> HelmHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "handoff-operator-tests-helm");
        return new() { ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"), ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"), ["HELM_DATA_HOME"] = Path.Combine(home, "data") };
    }

    [GeneratedRegex(@"^---[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
