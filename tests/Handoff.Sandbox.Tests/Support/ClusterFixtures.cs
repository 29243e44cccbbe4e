using Handoff.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Testcontainers.K3s;

namespace Handoff.Sandbox.Tests.Support;

/// <summary>A cluster the contract suite runs against: the emulator always, k3s when Docker is reachable.</summary>
public interface IClusterFixture
{
    Kubernetes Client { get; }

    string KubeconfigPath { get; }

    bool IsEmulator { get; }

    /// <summary>Why the cluster is not available (the test is then skipped with this reason); null when it is.</summary>
    string? UnavailableReason { get; }
}

/// <summary>Shared setup helpers over any <see cref="IClusterFixture"/>.</summary>
internal static class ClusterSetup
{
    private static readonly SemaphoreSlim CrdLock = new(1, 1);

    public static async Task<string> NewNamespaceAsync(this IClusterFixture fixture)
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await fixture.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: TestContext.Current.CancellationToken);
        return name;
    }

    public static Task EnsureWidgetCrdAsync(this IClusterFixture fixture) =>
        fixture.EnsureCrdAsync(TestData.WidgetCrd, TestData.Group, TestData.Version, TestData.Plural);

    /// <summary>Creates a CRD unless it exists, and waits until it is Established and its resource is served.</summary>
    public static async Task EnsureCrdAsync(this IClusterFixture fixture, string crdYaml, string group, string version, string plural)
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"{plural}.{group}";
        await CrdLock.WaitAsync(ct);
        try
        {
            var client = fixture.Client;
            try
            {
                await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(crdYaml);
                await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: ct);
            }

            await Wait.UntilAsync(
                async () => await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: ct),
                c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true,
                TimeSpan.FromSeconds(60), "CRD established");

            // The real API server serves a new CRD a moment after Established.
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    await client.CustomObjects.ListClusterCustomObjectAsync(group, version, plural, cancellationToken: ct);
                    return true;
                }
                catch (HttpOperationException)
                {
                    return false;
                }
            }, ok => ok, TimeSpan.FromSeconds(60), $"{plural} served");
        }
        finally
        {
            CrdLock.Release();
        }
    }

    /// <summary>
    /// A client of the cluster that authenticates with <paramref name="token"/> only (null: no credentials at all),
    /// instead of the fixture's administrator credentials.
    /// </summary>
    public static Kubernetes ClientWithToken(this IClusterFixture fixture, string? token)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.KubeconfigPath);
        config.ClientCertificateData = null;
        config.ClientCertificateKeyData = null;
        config.ClientCertificateFilePath = null;
        config.ClientKeyFilePath = null;
        config.Username = null;
        config.Password = null;
        config.AccessToken = token;
        return new Kubernetes(config);
    }

    public static void SkipIfUnavailable(this IClusterFixture fixture)
    {
        if (fixture.UnavailableReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }
}

/// <summary>The emulator with RBAC enforced (<see cref="SandboxOptions.Rbac"/>), started once per test class; its client is the administrator.</summary>
public sealed class RbacEmulatorFixture : IClusterFixture, IAsyncLifetime
{
    private readonly EmulatorFixture _inner = new(new SandboxOptions { Rbac = true, DefaultPodDuration = TimeSpan.FromMilliseconds(200) });

    public SandboxServer Server => _inner.Server;

    public Kubernetes Client => _inner.Client;

    public string KubeconfigPath => _inner.KubeconfigPath;

    public bool IsEmulator => true;

    public string? UnavailableReason => null;

    public ValueTask InitializeAsync() => _inner.InitializeAsync();

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}

/// <summary>The emulator, started once per test class.</summary>
public sealed class EmulatorFixture : IClusterFixture, IAsyncLifetime
{
    private readonly SandboxOptions _options;

    public EmulatorFixture()
        : this(new SandboxOptions { DefaultPodDuration = TimeSpan.FromMilliseconds(200) })
    {
    }

    /// <summary>With other options (xunit wants one public constructor for a class fixture).</summary>
    internal EmulatorFixture(SandboxOptions options) => _options = options;

    private SandboxServer? _server;
    private string? _dir;

    public SandboxServer Server => _server ?? throw new InvalidOperationException("not started");

    public Kubernetes Client { get; private set; } = null!;

    public string KubeconfigPath { get; private set; } = "";

    public bool IsEmulator => true;

    public string? UnavailableReason => null;

    public async ValueTask InitializeAsync()
    {
        _server = await SandboxServer.StartAsync(_options);
        _dir = Directory.CreateTempSubdirectory("sandbox-tests-").FullName;
        KubeconfigPath = _server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
        Client = _server.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}

/// <summary>
/// The one k3s the contract classes share (started once for all of them; they run one after another, so tests that
/// cordon or taint its node do not disturb the others).
/// </summary>
[CollectionDefinition(Name)]
public sealed class K3sCluster : ICollectionFixture<K3sFixture>
{
    public const string Name = "k3s cluster";
}

/// <summary>k3s in Docker via Testcontainers; unavailable (tests skip with the reason) when no Docker engine is reachable.</summary>
public sealed class K3sFixture : IClusterFixture, IAsyncLifetime
{
    private K3sContainer? _container;
    private string? _dir;

    public Kubernetes Client { get; private set; } = null!;

    public string KubeconfigPath { get; private set; } = "";

    public bool IsEmulator => false;

    public string? UnavailableReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        try
        {
            (_container, UnavailableReason) = await K3s.TryStartAsync(ct);
            if (_container is null)
            {
                return;
            }

            _dir = Directory.CreateTempSubdirectory("sandbox-k3s-").FullName;
            KubeconfigPath = await _container.WriteKubeconfigAsync(Path.Combine(_dir, "kubeconfig"), ct);
            Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            UnavailableReason = $"No Docker engine reachable: k3s did not start ({e.GetType().Name}: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
