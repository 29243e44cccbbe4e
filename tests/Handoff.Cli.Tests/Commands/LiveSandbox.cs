using System.CommandLine;
using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Commands;
using Handoff.Cli.Tests.Sandbox;
using Handoff.Sandbox;
using k8s;
using k8s.Models;

namespace Handoff.Cli.Tests.Commands;

/// <summary>
/// <c>handoff sandbox</c> (emulator, simulated nodes, the operator) run in-process for a class of tests, with the
/// given nodes file; the commands under test run as separate processes against its kubeconfig. Each test works in a
/// namespace of its own.
/// </summary>
public abstract class LiveSandbox : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("handoff-cli-live-");
    private Task<int>? _exit;

    public string KubeconfigPath => Path.Combine(_dir.FullName, "kubeconfig");

    internal CapturedWriter Output { get; } = new();

    internal CapturedWriter Error { get; } = new();

    public Kubernetes Client { get; private set; } = null!;

    /// <summary>The nodes file (the sandbox's <c>--nodes</c> format).</summary>
    protected abstract string NodesYaml { get; }

    /// <summary>Manifests applied once it is up (HandoffNodes first).</summary>
    protected abstract string SetupYaml { get; }

    public async ValueTask InitializeAsync()
    {
        var nodes = Path.Combine(_dir.FullName, "nodes.yaml");
        await File.WriteAllTextAsync(nodes, NodesYaml);
        var setup = Path.Combine(_dir.FullName, "setup.yaml");
        await File.WriteAllTextAsync(setup, SetupYaml);
        var root = new RootCommand("test");
        root.Subcommands.Add(SandboxCommand.Create());
        _exit = root.Parse(["sandbox", "--port", "0", "--kubeconfig", KubeconfigPath, "--nodes", nodes, "--apply", setup, "--pod-duration", "100ms"])
            .InvokeAsync(new InvocationConfiguration { Output = Output, Error = Error, ProcessTerminationTimeout = null }, _stop.Token);
        await Output.WaitForAsync(SandboxHost.ReadyLine + "\n", TimeSpan.FromSeconds(60));
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
    }

    /// <summary>A fresh namespace (or <paramref name="existing"/>) with the given functions (YAML; their namespace is set to it).</summary>
    public async Task<string> NamespaceWithAsync(string functionsYaml, string? existing = null)
    {
        var ns = existing ?? "t-" + Guid.NewGuid().ToString("N")[..10];
        var ct = TestContext.Current.CancellationToken;
        if (existing is null)
        {
            await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct);
        }

        foreach (var doc in ManifestReader.ReadTyped(functionsYaml, "test.yaml"))
        {
            var f = (HandoffFunction)doc.Object;
            f.Metadata.NamespaceProperty = ns;
            await Client.CustomObjects.CreateNamespacedCustomObjectAsync(f, HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, cancellationToken: ct);
        }

        return ns;
    }

    /// <summary>Waits (at most 30 s) until the function satisfies <paramref name="condition"/>; returns it.</summary>
    public async Task<HandoffFunction> WaitForAsync(string ns, string name, Func<HandoffFunction, bool> condition, string what)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        HandoffFunction f;
        do
        {
            f = await Client.CustomObjects.GetNamespacedCustomObjectAsync<HandoffFunction>(HandoffApi.Group, HandoffApi.Version, ns, HandoffApi.FunctionPlural, name, cancellationToken: ct);
            if (condition(f))
            {
                return f;
            }

            await Task.Delay(50, ct);
        }
        while (DateTimeOffset.UtcNow < deadline);

        Assert.Fail($"{ns}/{name} did not become {what} within 30 s: phase {f.Status?.Phase}, message {f.Status?.Message}\n{Error.Text}");
        return f;
    }

    public Task<HandoffFunction> WaitForPhaseAsync(string ns, string name, string phase) =>
        WaitForAsync(ns, name, f => f.Status?.Phase == phase, phase);

    /// <summary><c>handoff ARGS --kubeconfig K</c> through the real binary; fails the test unless it exits 0.</summary>
    public Task<string> HandoffAsync(params string[] args) => HandoffBinary.MustAsync([.. args, "--kubeconfig", KubeconfigPath]);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _stop.CancelAsync();
        if (_exit is not null)
        {
            await _exit.WaitAsync(TimeSpan.FromSeconds(30));
        }

        _stop.Dispose();
        _dir.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}
