using YamlDotNet.RepresentationModel;

namespace Handoff.Operator.Tests.Support;

/// <summary>src/Handoff.Operator/Rbac/required-permissions.yaml, parsed.</summary>
public sealed record RbacRules(IReadOnlyList<RbacRule> Cluster, IReadOnlyList<RbacRule> Namespaced)
{
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "Rbac", "required-permissions.yaml");

    public static RbacRules Load()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(FilePath))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return new RbacRules(Rules(root, "clusterRules"), Rules(root, "namespaceRules"));
    }

    /// <summary>Whether a rule of the given kind (cluster-wide, or in the lease namespace) grants the verb.</summary>
    public bool Allows(bool cluster, string apiGroup, string resource, string verb) =>
        (cluster ? Cluster : Namespaced).Any(r =>
            r.ApiGroups.Contains(apiGroup) && r.Resources.Contains(resource) && r.Verbs.Contains(verb));

    private static List<RbacRule> Rules(YamlMappingNode root, string key)
    {
        var list = (YamlSequenceNode)root.Children[new YamlScalarNode(key)];
        return [.. list.Cast<YamlMappingNode>().Select(m => new RbacRule(
            Strings(m, "apiGroups"), Strings(m, "resources"), Strings(m, "verbs")))];
    }

    private static HashSet<string> Strings(YamlMappingNode node, string key) =>
        [.. ((YamlSequenceNode)node.Children[new YamlScalarNode(key)]).Cast<YamlScalarNode>().Select(s => s.Value ?? "")];
}

public sealed record RbacRule(IReadOnlySet<string> ApiGroups, IReadOnlySet<string> Resources, IReadOnlySet<string> Verbs);
