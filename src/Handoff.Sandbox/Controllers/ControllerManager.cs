using Handoff.Sandbox.Scheduling;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>The emulator's control plane besides the API: kube-controller-manager's controllers, the apiextensions controllers and the default scheduler.</summary>
internal sealed class ControllerManager : IAsyncDisposable
{
    private readonly CrdController _crds;
    private readonly ServiceAccountController _serviceAccounts;
    private readonly List<QueueController> _controllers;

    public ControllerManager(ApiEngine engine, SandboxOptions options)
    {
        _crds = new CrdController(engine);
        _serviceAccounts = new ServiceAccountController(engine);
        _controllers = [new NamespaceController(engine), new GarbageCollector(engine), new NodeLifecycleController(engine), new PodGarbageCollector(engine), new DefaultScheduler(engine),
            new JobController(engine, options.JobBackoffBase)];
    }

    public void Start()
    {
        _crds.Start();
        _serviceAccounts.Start();
        foreach (var c in _controllers)
        {
            c.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _controllers)
        {
            await c.DisposeAsync();
        }

        _serviceAccounts.Dispose();
        _crds.Dispose();
    }
}
