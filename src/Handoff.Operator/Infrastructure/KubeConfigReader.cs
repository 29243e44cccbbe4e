using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.RepresentationModel;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// Reads a kubeconfig file into KubernetesClient's own model and builds the client's configuration from it
/// (<see cref="KubernetesClientConfiguration.BuildConfigFromConfigObject"/>), walking the YAML's nodes instead of
/// KubernetesClient's reflection-based YAML deserializer: that one cannot run under Native AOT (it asks for metadata
/// tokens) and, just in time, was 0.4 s of a traced restart's CPU for a file of a few lines. The fields
/// read are those of KubernetesClient's model (clusters, users with certificates, keys, tokens, basic auth, exec and
/// auth-provider plugins, impersonation, contexts); a relative file path is relative to the kubeconfig's directory,
/// as kubectl reads it.
/// </summary>
public static class KubeConfigReader
{
    /// <summary>The client configuration of <paramref name="path"/>'s current context (or <paramref name="context"/>).</summary>
    public static KubernetesClientConfiguration Load(string path, string? context = null) =>
        KubernetesClientConfiguration.BuildConfigFromConfigObject(Read(path), context);

    public static K8SConfiguration Read(string path)
    {
        var full = Path.GetFullPath(path);
        var yaml = new YamlStream();
        using (var reader = File.OpenText(full))
        {
            yaml.Load(reader);
        }

        var root = yaml.Documents.Count > 0 ? yaml.Documents[0].RootNode as YamlMappingNode : null;
        if (root is null)
        {
            throw new KubeConfigException($"{full}: not a kubeconfig (no mapping at its root)");
        }

        return new K8SConfiguration
        {
            FileName = full,
            ApiVersion = Text(root, "apiVersion"),
            Kind = Text(root, "kind"),
            CurrentContext = Text(root, "current-context"),
            Clusters = Named(root, "clusters", "cluster", (name, c) => new Cluster
            {
                Name = name,
                ClusterEndpoint = c is null ? null : new ClusterEndpoint
                {
                    Server = Text(c, "server"),
                    CertificateAuthority = Text(c, "certificate-authority"),
                    CertificateAuthorityData = Text(c, "certificate-authority-data"),
                    SkipTlsVerify = Flag(c, "insecure-skip-tls-verify"),
                    TlsServerName = Text(c, "tls-server-name"),
                },
            }),
            Users = Named(root, "users", "user", (name, u) => new User
            {
                Name = name,
                UserCredentials = u is null ? null : Credentials(u),
            }),
            Contexts = Named(root, "contexts", "context", (name, c) => new Context
            {
                Name = name,
                ContextDetails = c is null ? null : new ContextDetails
                {
                    Cluster = Text(c, "cluster"),
                    User = Text(c, "user"),
                    Namespace = Text(c, "namespace"),
                },
            }),
        };
    }

    private static UserCredentials Credentials(YamlMappingNode u) => new()
    {
        ClientCertificate = Text(u, "client-certificate"),
        ClientCertificateData = Text(u, "client-certificate-data"),
        ClientKey = Text(u, "client-key"),
        ClientKeyData = Text(u, "client-key-data"),
        Token = Text(u, "token"),
        UserName = Text(u, "username"),
        Password = Text(u, "password"),
        Impersonate = Text(u, "as"),
        ImpersonateGroups = Texts(u, "as-groups"),
        AuthProvider = Child(u, "auth-provider") is { } provider
            ? new AuthProvider { Name = Text(provider, "name"), Config = Map(Child(provider, "config")) }
            : null,
        ExternalExecution = Child(u, "exec") is { } exec
            ? new ExternalExecution
            {
                ApiVersion = Text(exec, "apiVersion"),
                Command = Text(exec, "command"),
                Arguments = Texts(exec, "args"),
                EnvironmentVariables = Sequence(exec, "env").OfType<YamlMappingNode>().Select(e => Map(e) ?? []).ToList(),
                InstallHint = Text(exec, "installHint"),
                ProvideClusterInfo = Flag(exec, "provideClusterInfo"),
            }
            : null,
    };

    /// <summary>A list of <c>{name, &lt;inner&gt;: {...}}</c> entries, as kubeconfig's clusters, users and contexts are.</summary>
    private static List<T> Named<T>(YamlMappingNode root, string list, string inner, Func<string, YamlMappingNode?, T> make) =>
        Sequence(root, list).OfType<YamlMappingNode>().Select(entry => make(Text(entry, "name") ?? "", Child(entry, inner))).ToList();

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence ? sequence.Children : [];

    private static YamlMappingNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    private static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar && !IsNull(scalar) ? scalar.Value : null;

    private static List<string>? Texts(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()
            : null;

    private static bool Flag(YamlMappingNode node, string key) =>
        Text(node, key) is { } text && (bool.TryParse(text, out var flag) ? flag : throw new KubeConfigException($"{key}: \"{text}\" is not true or false"));

    private static Dictionary<string, string>? Map(YamlMappingNode? node) =>
        node?.Children
            .Where(kv => kv.Key is YamlScalarNode && kv.Value is YamlScalarNode)
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ((YamlScalarNode)kv.Value).Value ?? "", StringComparer.Ordinal);

    // An unquoted ~, null or empty value is YAML's null (a quoted one is the text).
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
}
