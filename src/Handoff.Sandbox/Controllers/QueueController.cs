using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// A controller fed by the store's changes (<see cref="ObjectStore.Changed"/>, the in-process informer): it turns
/// changes into keys on its <see cref="WorkQueue{T}"/> and reconciles one key at a time on its own task.
/// </summary>
internal abstract class QueueController : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    protected QueueController(ApiEngine engine)
    {
        Engine = engine;
        Queue = new WorkQueue<string>(engine.Time);
    }

    protected ApiEngine Engine { get; }

    protected WorkQueue<string> Queue { get; }

    public void Start()
    {
        Engine.Store.Changed += OnChanged;
        _loop = Task.Run(() => Queue.RunAsync(Reconcile, _stopping.Token));
        Resync();
    }

    /// <summary>Turns a committed change into keys to reconcile (quickly: it runs on the writer's thread).</summary>
    protected abstract void OnChanged(StoreChange change);

    /// <summary>Brings one key's world to the desired state; throwing retries it with back-off.</summary>
    protected abstract void Reconcile(string key);

    /// <summary>Queues what already exists when the controller starts.</summary>
    protected virtual void Resync()
    {
    }

    public async ValueTask DisposeAsync()
    {
        Engine.Store.Changed -= OnChanged;
        await _stopping.CancelAsync();
        Queue.Dispose();
        await _loop;
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
