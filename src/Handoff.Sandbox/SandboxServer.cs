using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Sandbox.Controllers;
using Handoff.Sandbox.Http;
using Handoff.Sandbox.Store;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Handoff.Sandbox;

/// <summary>
/// A simulated Kubernetes API server on 127.0.0.1 (plain HTTP) with simulated nodes and kubelet. For development
/// and tests only: it is not a cluster and runs no containers.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ApiEngine _engine;
    private readonly ControllerManager _controllers;
    private int _disposed;

    private SandboxServer(
        WebApplication app, ApiEngine engine, ControllerManager controllers, SandboxFaults faults, SandboxRequestLog requests, SandboxWriteJournal journal,
        SimulatedKubelet kubelet, Uri baseAddress, Uri? adminAddress)
    {
        _app = app;
        _engine = engine;
        _controllers = controllers;
        Faults = faults;
        Requests = requests;
        Journal = journal;
        Kubelet = kubelet;
        BaseAddress = baseAddress;
        AdminAddress = adminAddress;
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    /// <summary>Fault injection (off until used).</summary>
    public SandboxFaults Faults { get; }

    /// <summary>Every resource request served, counted by user agent, verb and resource.</summary>
    public SandboxRequestLog Requests { get; }

    /// <summary>Every accepted write in order, with its user agent (empty unless <see cref="SandboxOptions.RecordWrites"/>).</summary>
    public SandboxWriteJournal Journal { get; }

    /// <summary>The admin endpoint (<c>http://127.0.0.1:PORT/</c>, serving <c>/sandbox/...</c>) when <see cref="SandboxOptions.AdminPort"/> was given; else null.</summary>
    public Uri? AdminAddress { get; }

    /// <summary>Simulated nodes and kubelet controls.</summary>
    public SimulatedKubelet Kubelet { get; }

    private const string EmptyMap = "{}";

    internal TimeProvider TimeProviderForHost => TimeProvider.System;

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion => _engine.Store.CurrentResourceVersion;

    /// <summary>Starts the server (port 0 = a free port), creates the default namespaces and the simulated nodes.</summary>
    public static async Task<SandboxServer> StartAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var engine = new ApiEngine(options.TimeProvider, options.WatchHistoryLimit);
        var controllers = new ControllerManager(engine, options);
        controllers.Start();
        var faults = new SandboxFaults(engine.Store);
        var requests = new SandboxRequestLog();
        var journal = new SandboxWriteJournal(options.RecordWrites);
        if (journal.Enabled)
        {
            engine.Store.Changed += journal.Record;
        }

        var handler = new ApiHandler(engine, faults, requests, options.BookmarkInterval);
        var admin = new AdminEndpoint(faults, requests, journal);
        ListenOptions? apiListener = null, adminListener = null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Isolated from the host's appsettings.json and ASPNETCORE_* variables (e.g. Kestrel endpoints of an app under test).
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoConsoleLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 3 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, options.Port, listen => apiListener = listen);
            if (options.AdminPort is { } adminPort)
            {
                k.Listen(IPAddress.Loopback, adminPort, listen => adminListener = listen);
            }
        });
        var app = builder.Build();
        // One app, two listeners: a request is the admin endpoint's only when it came in on the admin port.
        app.Run(ctx => adminListener?.IPEndPoint?.Port is { } port && ctx.Connection.LocalPort == port ? admin.HandleAsync(ctx) : handler.HandleAsync(ctx));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            await controllers.DisposeAsync();
            throw;
        }

        // Kestrel writes the port it bound (also for port 0) back into the listener's endpoint.
        var port = apiListener!.IPEndPoint!.Port;
        var baseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var adminAddress = adminListener?.IPEndPoint is { } bound ? new Uri($"http://127.0.0.1:{bound.Port.ToString(CultureInfo.InvariantCulture)}/") : null;
        var kubelet = new SimulatedKubelet(engine, options);
        var server = new SandboxServer(app, engine, controllers, faults, requests, journal, kubelet, baseAddress, adminAddress);
        server.CreateDefaultNamespaces();
        kubelet.Start();
        return server;
    }

    private void CreateDefaultNamespaces()
    {
        var ns = _engine.Registry.Find("", "v1", "namespaces")!;
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            _engine.Create(ns, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, WriteOptions.Internal, []);
        }
    }

    /// <summary>A client configuration for KubernetesClient pointing at this server.</summary>
    public KubernetesClientConfiguration CreateClientConfiguration() => new()
    {
        Host = BaseAddress.ToString().TrimEnd('/'),
        Namespace = "default",
    };

    /// <summary>A KubernetesClient for this server (dispose it).</summary>
    public Kubernetes CreateClient() => new(CreateClientConfiguration());

    /// <summary>The kubeconfig YAML for this server (cluster, context and user all named <paramref name="contextName"/>).</summary>
    public string KubeconfigYaml(string contextName = "handoff-sandbox") =>
        $"""
        # Handoff sandbox: a SIMULATED Kubernetes API on this machine (not a real cluster).
        apiVersion: v1
        kind: Config
        clusters:
        - name: {contextName}
          cluster:
            server: {BaseAddress.ToString().TrimEnd('/')}
        contexts:
        - name: {contextName}
          context:
            cluster: {contextName}
            user: {contextName}
            namespace: default
        current-context: {contextName}
        users:
        - name: {contextName}
          user:
            # The sandbox does not authenticate; KubernetesClient requires some credential in a kubeconfig.
            token: handoff-sandbox-not-a-secret
        preferences: {SandboxServer.EmptyMap}

        """;

    /// <summary>Writes the kubeconfig to <paramref name="path"/> (directories created) and returns its full path.</summary>
    public string WriteKubeconfig(string path, string contextName = "handoff-sandbox")
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(full, KubeconfigYaml(contextName));
        return full;
    }

    /// <summary>
    /// Applies manifests (multi-document YAML or JSON) in order, like <c>kubectl apply</c>: creates what is missing,
    /// replaces what exists. Returns kubectl-style lines (<c>handoffnode.handoff.dev/gpu-1 created</c>).
    /// Throws <see cref="SandboxException"/> with the API server's message for an invalid object.
    /// </summary>
    public Task<IReadOnlyList<string>> ApplyAsync(string manifests, string source = "<input>", CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<JsonObject> objects;
        try
        {
            objects = Manifests.ParseYaml(manifests);
        }
        catch (FormatException e)
        {
            throw new SandboxException($"error parsing {source}: {e.Message}", e);
        }

        var lines = new List<string>();
        foreach (var obj in objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lines.Add(ApplyOne(obj, source));
        }

        return Task.FromResult<IReadOnlyList<string>>(lines);
    }

    /// <summary>
    /// Applies a file, or a directory's <c>.yaml</c>/<c>.yml</c>/<c>.json</c> files recursively in kubectl's order
    /// (<see cref="ManifestPaths"/>, the expansion <c>handoff plan -f</c> uses).
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyPathAsync(string path, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ManifestFile> files;
        try
        {
            files = ManifestPaths.Expand([path]);
        }
        catch (ManifestException e)
        {
            throw new SandboxException(e.Message, e);
        }

        var lines = new List<string>();
        foreach (var file in files)
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file.Path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SandboxException($"error reading {file}: {e.Message}", e);
            }

            lines.AddRange(await ApplyAsync(text, file.DisplayName, cancellationToken));
        }

        return lines;
    }

    private string ApplyOne(JsonObject obj, string source)
    {
        var apiVersion = JsonNodes.GetString(obj, "apiVersion") ?? "";
        var kind = JsonNodes.GetString(obj, "kind") ?? "";
        var name = JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "name"));
        var type = _engine.Registry.FindByKind(apiVersion, kind)
            ?? throw new SandboxException($"resource mapping not found for name: \"{name}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{apiVersion}\"");
        var ns = type.Namespaced ? JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "namespace")) is { Length: > 0 } n ? n : "default" : null;
        var label = $"{(type.Group.Length == 0 ? type.Singular : type.Singular + "." + type.Group)}/{name}";
        try
        {
            var existing = name.Length > 0 ? _engine.TryGet(type, ns, name) : null;
            if (existing is null)
            {
                _engine.Create(type, ns, obj, new WriteOptions(FieldValidation.Strict), []);
                return label + " created";
            }

            var updated = _engine.Update(type, ns, name, obj, null, new WriteOptions(FieldValidation.Strict), []);
            return label + (updated.ResourceVersion == existing.ResourceVersion ? " unchanged" : " configured");
        }
        catch (ApiException e)
        {
            throw new SandboxException($"error when applying \"{source}\": {e.Message}") { StatusCode = e.Code };
        }
    }

    /// <summary>Installs every CRD manifest found in <paramref name="directory"/>; returns how many objects were applied.</summary>
    public async Task<int> InstallCrdsAsync(string directory, CancellationToken cancellationToken = default) =>
        (await ApplyPathAsync(directory, cancellationToken)).Count;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Faults.CloseAllWatches();
        await Kubelet.DisposeAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _app.DisposeAsync();
        await _controllers.DisposeAsync();
    }

    private sealed class NoConsoleLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
