using System.Net.Sockets;

namespace Handoff.Sandbox;

/// <summary>What <c>handoff sandbox</c> was asked to do.</summary>
public sealed record SandboxHostOptions
{
    public int Port { get; init; }

    /// <summary>Where the kubeconfig is written (default <c>./sandbox.kubeconfig</c>).</summary>
    public string KubeconfigPath { get; init; } = "sandbox.kubeconfig";

    /// <summary>A nodes YAML file; null = the default nodes.</summary>
    public string? NodesFile { get; init; }

    /// <summary>Manifests (files or directories) applied after start, in order.</summary>
    public IReadOnlyList<string> Apply { get; init; } = [];

    /// <summary>The CRD directory; null = search upward from the working directory for <c>crds/</c> beside <c>Handoff.sln</c>.</summary>
    public string? CrdsDirectory { get; init; }

    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public bool SimulateKubelet { get; init; } = true;

    public TimeSpan DefaultPodDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each simulated kubelet posts its Node's status (<see cref="SandboxOptions.NodeStatusReportPeriod"/>); null = only on change.</summary>
    public TimeSpan? NodeStatusReportPeriod { get; init; }

    /// <summary>Authenticate and authorize every request with RBAC (<see cref="SandboxOptions.Rbac"/>; the API is then HTTPS).</summary>
    public bool Rbac { get; init; }

    /// <summary>Port on 127.0.0.1 of the admin endpoint (faults, request counts, journal); null = none (<c>--admin-port</c>).</summary>
    public int? AdminPort { get; init; }

    /// <summary>Keep the write journal served at <c>/sandbox/journal</c> of the admin endpoint (<c>--record-writes</c>).</summary>
    public bool RecordWrites { get; init; }
}

/// <summary>
/// Something started with the sandbox once it is up (the operator joins this way) and disposed when it stops.
/// Runs after manifests are applied and before <c>sandbox ready</c> is printed.
/// </summary>
public delegate Task<IAsyncDisposable?> SandboxCompanion(SandboxServer server, string kubeconfigPath, CancellationToken cancellationToken);

/// <summary>The body of <c>handoff sandbox</c>: start, install CRDs, write kubeconfig, apply, print <c>sandbox ready</c>, run until cancelled.</summary>
public static class SandboxHost
{
    public const string ReadyLine = "sandbox ready";

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; returns the process exit code (0 after a clean stop).</summary>
    public static async Task<int> RunAsync(SandboxHostOptions options, TextWriter output, TextWriter error, IReadOnlyList<SandboxCompanion>? companions = null,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<SandboxNode>? nodes = null;
        if (options.NodesFile is { } nodesFile)
        {
            try
            {
                nodes = SandboxNode.LoadFile(Path.GetFullPath(nodesFile, options.WorkingDirectory));
            }
            catch (FormatException e)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        }

        if (options.Port is < 0 or > 65535)
        {
            await error.WriteLineAsync($"error: --port must be between 0 and 65535, got {options.Port}");
            return 1;
        }

        if (options.AdminPort is < 0 or > 65535)
        {
            await error.WriteLineAsync($"error: --admin-port must be between 0 and 65535, got {options.AdminPort}");
            return 1;
        }

        SandboxServer server;
        try
        {
            server = await SandboxServer.StartAsync(new SandboxOptions
            {
                Port = options.Port,
                Nodes = nodes,
                SimulateKubelet = options.SimulateKubelet,
                DefaultPodDuration = options.DefaultPodDuration,
                NodeStatusReportPeriod = options.NodeStatusReportPeriod,
                Rbac = options.Rbac,
                AdminPort = options.AdminPort,
                RecordWrites = options.RecordWrites,
            }, cancellationToken);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await error.WriteLineAsync(options.AdminPort is > 0
                ? $"error: port {options.Port} or admin port {options.AdminPort} on 127.0.0.1 is already in use; choose others with --port and --admin-port, or 0 for free ones"
                : $"error: port {options.Port} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for a free one");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }

        var started = new List<IAsyncDisposable>();
        await using (server)
        {
            try
            {
                await output.WriteLineAsync($"Handoff sandbox: a SIMULATED Kubernetes API at {server.BaseAddress} (not a real cluster; pods do not run containers)");
                await output.WriteLineAsync($"nodes: {string.Join(", ", server.Kubelet.NodeNames)}");
                if (server.RbacEnabled)
                {
                    await output.WriteLineAsync("RBAC is on: every request needs a bearer token; the kubeconfig's is the administrator's (group system:masters); `kubectl create token ACCOUNT` issues ServiceAccount tokens");
                }

                if (server.AdminAddress is { } admin)
                {
                    await output.WriteLineAsync($"admin endpoint (fault injection, request counts{(server.Journal.Enabled ? ", write journal" : "")}): {admin}sandbox/");
                }

                var crds = options.CrdsDirectory is { } dir ? Path.GetFullPath(dir, options.WorkingDirectory) : FindCrds(options.WorkingDirectory);
                if (options.CrdsDirectory is not null && !Directory.Exists(crds))
                {
                    await error.WriteLineAsync($"error: CRD directory {crds} does not exist");
                    return 1;
                }

                if (crds is not null && Directory.Exists(crds))
                {
                    var lines = await server.ApplyPathAsync(crds, cancellationToken);
                    await output.WriteLineAsync($"installed {lines.Count} CRD object(s) from {crds}");
                }

                var kubeconfig = server.WriteKubeconfig(Path.GetFullPath(options.KubeconfigPath, options.WorkingDirectory));
                await output.WriteLineAsync($"kubeconfig written to {kubeconfig}; use it with:");
                await output.WriteLineAsync($"  export KUBECONFIG={kubeconfig}");
                await output.WriteLineAsync("  kubectl get nodes");
                foreach (var path in options.Apply)
                {
                    var full = Path.GetFullPath(path, options.WorkingDirectory);
                    if (!File.Exists(full) && !Directory.Exists(full))
                    {
                        await error.WriteLineAsync($"error: the path \"{path}\" does not exist");
                        return 1;
                    }

                    foreach (var line in await server.ApplyPathAsync(full, cancellationToken))
                    {
                        await output.WriteLineAsync(line);
                    }
                }

                foreach (var companion in companions ?? [])
                {
                    if (await companion(server, kubeconfig, cancellationToken) is { } running)
                    {
                        started.Add(running);
                    }
                }

                await output.WriteLineAsync(ReadyLine);
                await output.FlushAsync(cancellationToken);
                await Task.Delay(Timeout.InfiniteTimeSpan, server.TimeProviderForHost, cancellationToken);
                return 0;
            }
            catch (SandboxException e)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await output.WriteLineAsync("sandbox stopped");
                return 0;
            }
            finally
            {
                for (var i = started.Count - 1; i >= 0; i--)
                {
                    await started[i].DisposeAsync();
                }
            }
        }
    }

    /// <summary>Searches upward from <paramref name="start"/> for a <c>crds/</c> folder beside <c>Handoff.sln</c>.</summary>
    public static string? FindCrds(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Handoff.sln")))
            {
                var crds = Path.Combine(dir.FullName, "crds");
                return Directory.Exists(crds) ? crds : null;
            }
        }

        return null;
    }
}
