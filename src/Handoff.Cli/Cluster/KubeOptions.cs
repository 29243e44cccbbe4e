using System.CommandLine;
using k8s;

namespace Handoff.Cli.Cluster;

/// <summary>
/// The flags kubectl users expect on every command that reads a cluster: <c>--kubeconfig</c>, <c>--context</c>,
/// <c>-n/--namespace</c> and (where a command can span namespaces) <c>-A/--all-namespaces</c>. Resolved as kubectl
/// resolves them: the flag, else <c>KUBECONFIG</c> (of a list of files, the first that exists), else <c>~/.kube/config</c>; the
/// namespace is the flag, else the context's, else <c>default</c>.
/// </summary>
internal sealed class KubeOptions
{
    private readonly bool _allNamespaces;

    public KubeOptions(bool allNamespaces)
    {
        _allNamespaces = allNamespaces;
        AllNamespaces = new Option<bool>("--all-namespaces", "-A")
        {
            Description = "Across all namespaces (the namespace flag is ignored).",
        };
    }

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig")
    {
        Description = "Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "The kubeconfig context to use (default: its current context).",
    };

    public Option<string?> Namespace { get; } = new("--namespace", "-n")
    {
        Description = "The namespace (default: the context's namespace, else default).",
    };

    public Option<bool> AllNamespaces { get; }

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Kubeconfig);
        command.Options.Add(Context);
        command.Options.Add(Namespace);
        if (_allNamespaces)
        {
            command.Options.Add(AllNamespaces);
        }
    }

    /// <summary>The cluster the flags name. Throws <see cref="ClusterException"/> with a message for the user.</summary>
    public ClusterTarget Resolve(ParseResult parseResult)
    {
        var explicitPath = parseResult.GetValue(Kubeconfig);
        var files = KubeconfigFiles(explicitPath);
        if (files.Count == 0)
        {
            throw new ClusterException(explicitPath is not null
                ? $"the kubeconfig \"{explicitPath}\" does not exist"
                : "no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config (for a simulated cluster: handoff sandbox)");
        }

        KubernetesClientConfiguration config;
        try
        {
            // KubernetesClient reads one file; of a KUBECONFIG list, the first that exists (kubectl would merge them).
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(new FileInfo(files[0]), parseResult.GetValue(Context));
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or FormatException or InvalidOperationException or YamlDotNet.Core.YamlException)
        {
            throw new ClusterException($"cannot use the kubeconfig {files[0]}: {e.Message}", e);
        }

        var all = _allNamespaces && parseResult.GetValue(AllNamespaces);
        var ns = parseResult.GetValue(Namespace) is { Length: > 0 } flag ? flag
            : config.Namespace is { Length: > 0 } fromContext ? fromContext
            : "default";
        return new ClusterTarget(config, ns, all);
    }

    private static List<string> KubeconfigFiles(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath) ? [explicitPath] : [];
        }

        if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } variable)
        {
            return [.. variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists)];
        }

        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return File.Exists(home) ? [home] : [];
    }
}

/// <summary>The cluster and namespace a command reads; <see cref="AllNamespaces"/> = every namespace.</summary>
internal sealed record ClusterTarget(KubernetesClientConfiguration Config, string Namespace, bool AllNamespaces)
{
    /// <summary>The namespace to list in, or null for all.</summary>
    public string? ListNamespace => AllNamespaces ? null : Namespace;

    public Kubernetes CreateClient() => new(Config);
}

/// <summary>A problem reaching or reading the cluster, with a message for the user.</summary>
internal sealed class ClusterException : Exception
{
    public ClusterException(string message)
        : base(message)
    {
    }

    public ClusterException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
