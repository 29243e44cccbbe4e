using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>A subject of a RoleBinding or ClusterRoleBinding.</summary>
internal sealed record RbacSubject(string Kind, string Name, string Namespace)
{
    /// <summary>
    /// RBAC's subject match: a User by name, a Group by membership, a ServiceAccount by its user name
    /// (<c>system:serviceaccount:NS:NAME</c>), its namespace defaulting to the RoleBinding's.
    /// </summary>
    public bool AppliesTo(UserInfo user, string bindingNamespace) => Kind switch
    {
        "User" => user.Name == Name,
        "Group" => user.IsInGroup(Name),
        "ServiceAccount" => (Namespace.Length > 0 ? Namespace : bindingNamespace) is { Length: > 0 } ns && user.Name == UserInfo.ServiceAccountName(ns, Name),
        _ => false,
    };

    /// <summary>As the API server names the subject in an authorization reason (<c>ServiceAccount "sa/ns"</c>).</summary>
    public string Describe(string bindingNamespace) => Kind == "ServiceAccount"
        ? $"{Kind} \"{Name}/{(Namespace.Length > 0 ? Namespace : bindingNamespace)}\""
        : $"{Kind} \"{Name}\"";
}

/// <summary>A RoleBinding (with its namespace) or a ClusterRoleBinding (namespace "").</summary>
internal sealed record RbacBinding(string Name, string Namespace, string RoleKind, string RoleName, IReadOnlyList<RbacSubject> Subjects)
{
    public static RbacBinding FromJson(JsonObject obj) => new(
        JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "name")),
        JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "namespace")),
        JsonNodes.ScalarText(JsonNodes.At(obj, "roleRef", "kind")),
        JsonNodes.ScalarText(JsonNodes.At(obj, "roleRef", "name")),
        obj["subjects"] is JsonArray subjects
            ? [.. subjects.Select(s => new RbacSubject(JsonNodes.GetString(s, "kind") ?? "", JsonNodes.GetString(s, "name") ?? "", JsonNodes.GetString(s, "namespace") ?? ""))]
            : []);

    /// <summary>As the API server names the binding in an authorization reason.</summary>
    public string Describe(RbacSubject subject) => Namespace.Length == 0
        ? $"ClusterRoleBinding \"{Name}\" of {RoleKind} \"{RoleName}\" to {subject.Describe("")}"
        : $"RoleBinding \"{Name}/{Namespace}\" of {RoleKind} \"{RoleName}\" to {subject.Describe(Namespace)}";
}

/// <summary>
/// The RBAC objects of the store, compiled for evaluation: ClusterRoles and Roles by name, ClusterRoleBindings, and
/// RoleBindings by namespace. Immutable; <see cref="RbacAuthorizer"/> builds a new one after any of them changes.
/// </summary>
internal sealed class RbacPolicy
{
    private readonly Dictionary<string, IReadOnlyList<PolicyRule>> _clusterRoles;
    private readonly Dictionary<(string Namespace, string Name), IReadOnlyList<PolicyRule>> _roles;
    private readonly IReadOnlyList<RbacBinding> _clusterRoleBindings;
    private readonly Dictionary<string, List<RbacBinding>> _roleBindings;

    private RbacPolicy(
        Dictionary<string, IReadOnlyList<PolicyRule>> clusterRoles, Dictionary<(string, string), IReadOnlyList<PolicyRule>> roles,
        IReadOnlyList<RbacBinding> clusterRoleBindings, Dictionary<string, List<RbacBinding>> roleBindings)
    {
        _clusterRoles = clusterRoles;
        _roles = roles;
        _clusterRoleBindings = clusterRoleBindings;
        _roleBindings = roleBindings;
    }

    public static RbacPolicy Build(ApiEngine engine)
    {
        List<StoredObject> All(string plural) => engine.CollectionOf(engine.Builtin(RbacAuthorizer.Group, plural)).Snapshot();
        var clusterRoles = All("clusterroles").ToDictionary(o => o.Name, o => PolicyRule.ListFromJson(o.Node["rules"]), StringComparer.Ordinal);
        var roles = All("roles").ToDictionary(o => (o.Namespace, o.Name), o => PolicyRule.ListFromJson(o.Node["rules"]));
        // Sorted so that reasons naming several bindings read the same every time.
        var clusterRoleBindings = All("clusterrolebindings").Select(o => RbacBinding.FromJson(o.Node)).OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
        var roleBindings = All("rolebindings").Select(o => RbacBinding.FromJson(o.Node))
            .GroupBy(b => b.Namespace, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(b => b.Name, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        return new RbacPolicy(clusterRoles, roles, clusterRoleBindings, roleBindings);
    }

    /// <summary>
    /// RBAC's evaluation: every ClusterRoleBinding, then (for a namespaced request) every RoleBinding of the namespace,
    /// whose subjects include the user; the first rule of the bound role that allows the request decides. A binding
    /// whose role does not exist contributes an error to the reason of a denial, as in the API server.
    /// </summary>
    public AuthorizationDecision Authorize(RequestAttributes request)
    {
        var errors = new List<string>();
        foreach (var binding in _clusterRoleBindings)
        {
            if (Allowed(binding, request, errors) is { } reason)
            {
                return AuthorizationDecision.Allow(reason);
            }
        }

        if (request.Namespace.Length > 0 && _roleBindings.TryGetValue(request.Namespace, out var bindings))
        {
            foreach (var binding in bindings)
            {
                if (Allowed(binding, request, errors) is { } reason)
                {
                    return AuthorizationDecision.Allow(reason);
                }
            }
        }

        return AuthorizationDecision.Deny(errors.Count switch
        {
            0 => "",
            1 => "RBAC: " + errors[0],
            _ => "RBAC: [" + string.Join(", ", errors) + "]",
        });
    }

    /// <summary>Every rule bound to the user cluster-wide and in <paramref name="ns"/> (SelfSubjectRulesReview), with the errors met.</summary>
    public (List<PolicyRule> Rules, List<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var rules = new List<PolicyRule>();
        var errors = new List<string>();
        var bindings = ns.Length > 0 && _roleBindings.TryGetValue(ns, out var local) ? _clusterRoleBindings.Concat(local) : _clusterRoleBindings;
        foreach (var binding in bindings)
        {
            if (binding.Subjects.Any(s => s.AppliesTo(user, binding.Namespace)))
            {
                if (RulesOf(binding) is { } bound)
                {
                    rules.AddRange(bound);
                }
                else
                {
                    errors.Add(NotFound(binding));
                }
            }
        }

        return (rules, errors);
    }

    private IReadOnlyList<PolicyRule>? RulesOf(RbacBinding binding) => binding.RoleKind switch
    {
        "ClusterRole" => _clusterRoles.GetValueOrDefault(binding.RoleName),
        "Role" when binding.Namespace.Length > 0 => _roles.GetValueOrDefault((binding.Namespace, binding.RoleName)),
        _ => null,
    };

    private static string NotFound(RbacBinding binding) => $"{binding.RoleKind.ToLowerInvariant()}.{RbacAuthorizer.Group} \"{binding.RoleName}\" not found";

    private string? Allowed(RbacBinding binding, RequestAttributes request, List<string> errors)
    {
        var subject = binding.Subjects.FirstOrDefault(s => s.AppliesTo(request.User, binding.Namespace));
        if (subject is null)
        {
            return null;
        }

        var rules = RulesOf(binding);
        if (rules is null)
        {
            errors.Add(NotFound(binding));
            return null;
        }

        return rules.Any(r => r.Allows(request)) ? "RBAC: allowed by " + binding.Describe(subject) : null;
    }
}
