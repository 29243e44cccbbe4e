using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Sandbox.Auth;
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

// Over ~400 lines on purpose: the emulator's whole public surface (start, clients, kubeconfig, apply, tokens) in one
// place for its users; the work is in Store/, Http/, Auth/ and Controllers/.

namespace Handoff.Sandbox;

/// <summary>
/// A simulated Kubernetes API server on 127.0.0.1 (plain HTTP; HTTPS with RBAC) with simulated nodes and kubelet. For
/// development and tests only: it is not a cluster and runs no containers.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ApiEngine _engine;
    private readonly ControllerManager _controllers;
    private readonly SandboxSecurity _security;
    private readonly SandboxCertificates? _certificates;
    private int _disposed;

    private SandboxServer(
        WebApplication app, ApiEngine engine, ControllerManager controllers, SandboxSecurity security, SandboxCertificates? certificates,
        SandboxFaults faults, SandboxRequestLog requests, SandboxWriteJournal journal, SimulatedKubelet kubelet, Uri baseAddress, Uri? adminAddress)
    {
        _app = app;
        _engine = engine;
        _controllers = controllers;
        _security = security;
        _certificates = certificates;
        Faults = faults;
        Requests = requests;
        Journal = journal;
        Kubelet = kubelet;
        BaseAddress = baseAddress;
        AdminAddress = adminAddress;
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c> (<c>https</c> with RBAC).</summary>
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

    /// <summary>True when requests are authenticated and authorized by RBAC (<see cref="SandboxOptions.Rbac"/>).</summary>
    public bool RbacEnabled => _security.Enforced;

    /// <summary>Every authorization decision made with RBAC on (empty without it).</summary>
    public SandboxAuthorizationLog Authorizations => _security.Log;

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
        var security = new SandboxSecurity(engine, options.Rbac);
        if (options.Rbac)
        {
            BootstrapPolicy.Create(engine);
        }

        // Kubernetes clients send tokens only over TLS (kubectl never over plain HTTP): with RBAC the sandbox serves HTTPS.
        var certificates = options.Rbac ? SandboxCertificates.Create(TimeProvider.System) : null;
        var journal = new SandboxWriteJournal(options.RecordWrites);
        if (journal.Enabled)
        {
            engine.Store.Changed += journal.Record;
        }

        var handler = new ApiHandler(engine, security, faults, requests, options.BookmarkInterval);
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
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
            k.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                apiListener = listen;
                if (certificates is not null)
                {
                    listen.UseHttps(certificates.Serving);
                }
            });
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
            security.Dispose();
            certificates?.Dispose();
            throw;
        }

        // Kestrel writes the port it bound (also for port 0) back into the listener's endpoint.
        var port = apiListener!.IPEndPoint!.Port;
        var baseAddress = new Uri($"{(certificates is null ? "http" : "https")}://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var adminAddress = adminListener?.IPEndPoint is { } bound ? new Uri($"http://127.0.0.1:{bound.Port.ToString(CultureInfo.InvariantCulture)}/") : null;
        var kubelet = new SimulatedKubelet(engine, options);
        var server = new SandboxServer(app, engine, controllers, security, certificates, faults, requests, journal, kubelet, baseAddress, adminAddress);
        server.CreateDefaultNamespaces();
        server.CreateSystemPriorityClasses();
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

    // As the API server does at start: pods may name them, in any namespace.
    private void CreateSystemPriorityClasses()
    {
        var classes = _engine.Builtin(PriorityRules.Group, PriorityRules.Plural);
        foreach (var (name, value, description) in PriorityRules.SystemClasses)
        {
            _engine.Create(classes, null, PriorityRules.SystemClass(name, value, description), WriteOptions.Internal, []);
        }
    }

    /// <summary>
    /// A client configuration for KubernetesClient pointing at this server, authenticated as the administrator
    /// (<c>system:admin</c>, a member of <c>system:masters</c>), or with <paramref name="token"/> (e.g. a ServiceAccount's).
    /// </summary>
    public KubernetesClientConfiguration CreateClientConfiguration(string? token = null) => new()
    {
        Host = BaseAddress.ToString().TrimEnd('/'),
        Namespace = "default",
        AccessToken = token ?? _security.AdminToken,
        SslCaCerts = _certificates is null ? null : [X509CertificateLoader.LoadCertificate(_certificates.Authority.RawData)],
    };

    /// <summary>
    /// The certificate authority of the server's TLS (with RBAC), PEM-encoded; null when it serves plain HTTP.
    /// </summary>
    public string? CertificateAuthorityPem => _certificates?.AuthorityPem;

    /// <summary>
    /// An <see cref="HttpClient"/> for raw requests to this server (its <see cref="HttpClient.BaseAddress"/> set, the
    /// server's certificate authority trusted), authenticated as the administrator, with <paramref name="token"/>, or
    /// without credentials when <paramref name="token"/> is "". Dispose it.
    /// </summary>
    public HttpClient CreateHttpClient(string? token = null)
    {
        var certificates = _certificates;
        var handler = new SocketsHttpHandler();
        if (certificates is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is X509Certificate2 c && certificates.Validates(c);
        }

        var http = new HttpClient(handler) { BaseAddress = BaseAddress };
        token ??= _security.AdminToken;
        if (token.Length > 0)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <summary>A KubernetesClient for this server as the administrator, or with <paramref name="token"/> (dispose it).</summary>
    public Kubernetes CreateClient(string? token = null) => new(CreateClientConfiguration(token));

    /// <summary>
    /// Issues a ServiceAccount token, as <c>kubectl create token</c> does through the TokenRequest API: the
    /// ServiceAccount must exist; <paramref name="expiration"/> defaults to 1 hour (at least 10 minutes),
    /// <paramref name="audiences"/> to the API server's. Throws <see cref="SandboxException"/> with the API's message.
    /// </summary>
    public Task<string> CreateTokenAsync(
        string @namespace, string serviceAccount, TimeSpan? expiration = null, IReadOnlyList<string>? audiences = null,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var spec = new JsonObject();
        if (expiration is { } e)
        {
            spec["expirationSeconds"] = (long)e.TotalSeconds;
        }

        if (audiences is { Count: > 0 })
        {
            spec["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]);
        }

        try
        {
            var answer = new AuthEndpoints(_engine, _security).RequestToken(@namespace, serviceAccount, new JsonObject { ["spec"] = spec });
            return Task.FromResult(JsonNodes.ScalarText(JsonNodes.At(answer, "status", "token")));
        }
        catch (ApiException ex)
        {
            throw new SandboxException(ex.Message) { StatusCode = ex.Code };
        }
    }

    /// <summary>
    /// The kubeconfig YAML for this server (cluster, context and user all named <paramref name="contextName"/>), with
    /// the administrator's bearer token, or <paramref name="token"/>.
    /// </summary>
    public string KubeconfigYaml(string contextName = "handoff-sandbox", string? token = null) =>
        $"""
        # Handoff sandbox: a SIMULATED Kubernetes API on this machine (not a real cluster).
        apiVersion: v1
        kind: Config
        clusters:
        - name: {contextName}
          cluster:
            server: {BaseAddress.ToString().TrimEnd('/')}{(_certificates is null ? "" : "\n    certificate-authority-data: " + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(_certificates.AuthorityPem)))}
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
            # {(token is null ? "The sandbox's administrator (system:admin, group system:masters)." : "A token issued by the sandbox.")}{(RbacEnabled ? "" : " Not checked: RBAC is off (handoff sandbox --rbac turns it on).")}
            token: {token ?? _security.AdminToken}
        preferences: {SandboxServer.EmptyMap}

        """;

    /// <summary>Writes the kubeconfig to <paramref name="path"/> (directories created) and returns its full path.</summary>
    public string WriteKubeconfig(string path, string contextName = "handoff-sandbox", string? token = null)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(full, KubeconfigYaml(contextName, token));
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
        _security.Dispose();
        _certificates?.Dispose();
    }

    private sealed class NoConsoleLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
