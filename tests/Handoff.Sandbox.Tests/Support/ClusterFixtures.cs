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

    public static async Task EnsureWidgetCrdAsync(this IClusterFixture fixture)
    {
        var ct = TestContext.Current.CancellationToken;
        await CrdLock.WaitAsync(ct);
        try
        {
            var client = fixture.Client;
            try
            {
                await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.sandbox.test", cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(TestData.WidgetCrd);
                await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: ct);
            }

            await Wait.ForAsync(
                async () => await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.sandbox.test", cancellationToken: ct),
                c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true,
                "CRD established", TimeSpan.FromSeconds(60));

            // The real API server serves a new CRD a moment after Established.
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    await client.CustomObjects.ListClusterCustomObjectAsync("sandbox.test", "v1", "widgets", cancellationToken: ct);
                    return true;
                }
                catch (HttpOperationException)
                {
                    return false;
                }
            }, "widgets served", TimeSpan.FromSeconds(60));
        }
        finally
        {
            CrdLock.Release();
        }
    }

    public static void SkipIfUnavailable(this IClusterFixture fixture)
    {
        if (fixture.UnavailableReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }
}

/// <summary>The emulator, started once per test class.</summary>
public sealed class EmulatorFixture : IClusterFixture, IAsyncLifetime
{
    private SandboxServer? _server;
    private string? _dir;

    public SandboxServer Server => _server ?? throw new InvalidOperationException("not started");

    public Kubernetes Client { get; private set; } = null!;

    public string KubeconfigPath { get; private set; } = "";

    public bool IsEmulator => true;

    public string? UnavailableReason => null;

    public async ValueTask InitializeAsync()
    {
        _server = await SandboxServer.StartAsync(new SandboxOptions { DefaultPodDuration = TimeSpan.FromMilliseconds(200) });
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
