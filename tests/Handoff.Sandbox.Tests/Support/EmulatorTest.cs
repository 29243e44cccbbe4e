using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Support;

/// <summary>A test class with an emulator of its own (started per test), a client, and pod helpers.</summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected SandboxServer Server { get; private set; } = null!;

    protected Kubernetes Client { get; private set; } = null!;

    /// <summary>The options of the emulator; 100 ms pods by default.</summary>
    protected virtual SandboxOptions Options => new() { DefaultPodDuration = TimeSpan.FromMilliseconds(100) };

    public async ValueTask InitializeAsync()
    {
        Server = await SandboxServer.StartAsync(Options, Ct);
        Client = Server.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// A pod that runs to completion (<c>restartPolicy: Never</c>), bound to <paramref name="node"/> when given; else it
    /// names a scheduler nobody runs, so the test binds it itself (the default scheduler would place it otherwise).
    /// </summary>
    protected static V1Pod Pod(string name, string? node = null, Dictionary<string, string>? annotations = null, int containers = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
        Spec = new V1PodSpec
        {
            NodeName = node,
            SchedulerName = node is null ? "sandbox-test" : null,
            RestartPolicy = "Never",
            Containers = [.. Enumerable.Range(0, containers).Select(i => new V1Container { Name = $"c{i}", Image = "busybox" })],
        },
    };

    protected async Task<V1Pod> PodPhaseAsync(string name, string phase, Kubernetes? client = null, string ns = "default") =>
        await Wait.UntilAsync(() => (client ?? Client).CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: Ct), p => p.Status?.Phase == phase, what: $"pod {name} {phase}");

    /// <summary>Waits until the pod is gone (404).</summary>
    protected async Task PodGoneAsync(string name, Kubernetes? client = null, string ns = "default") =>
        await Wait.UntilAsync(async () => (await (client ?? Client).CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=" + name, cancellationToken: Ct)).Items.Count, n => n == 0, what: $"pod {name} gone");
}
