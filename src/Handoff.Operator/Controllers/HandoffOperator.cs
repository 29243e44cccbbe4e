using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.Reconciliation;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// The operator service: informers (HandoffNodes, HandoffFunctions, pods, Nodes, HandoffQueues, PriorityClasses,
/// Namespaces) feed one work
/// queue; while this replica leads, a worker takes the queue's single <see cref="SyncKey"/> and runs one
/// reconcile pass (<see cref="Reconciler"/>) over the cached state. See docs/operator.md.
/// </summary>
public sealed class HandoffOperator : BackgroundService
{
    /// <summary>The one queue key: "reconcile everything". Changes arriving during a pass queue exactly one more pass.</summary>
    public const string SyncKey = "sync";

    private readonly IKubernetes _client;
    private readonly ApiStreams _streams;
    private readonly OperatorOptions _options;
    private readonly TimeProvider _time;
    private readonly OperatorMetrics _metrics;
    private readonly LeadershipLoop _leadership;
    private readonly EventRecorder _events;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _passGate = new(1, 1);
    private volatile bool _faulted;
    private TermState? _term;
    private int _passes;
    private int _passesStarted;

    public HandoffOperator(
        IKubernetes client, ApiStreams streams, OperatorOptions options, TimeProvider time, OperatorMetrics metrics, LeadershipLoop leadership,
        EventRecorder events, ILoggerFactory loggerFactory)
    {
        _client = client;
        _streams = streams;
        _options = options;
        _time = time;
        _metrics = metrics;
        _leadership = leadership;
        _events = events;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<HandoffOperator>();
        HandoffNodes = Watcher(WatchSources.HandoffNodes(streams, options.WatchTimeout), CacheTransforms.HandoffNode);
        Functions = Watcher(WatchSources.HandoffFunctions(streams, options.Namespace, options.WatchTimeout, CacheTransforms.FunctionJson), CacheTransforms.Function);
        Pods = Watcher(new MappedWatchSource<V1Pod, PodRecord>(WatchSources.Pods(streams, options.WatchTimeout, CacheTransforms.PodJson), CacheTransforms.Pod), static p => p);
        // A kubelet posts its Node's status every 5 minutes even when nothing changed (~17 Nodes a second over 5,000): a
        // report of the same facts leaves the cached Node as it is and wakes no pass (else the operator would never be idle).
        Nodes = Watcher(WatchSources.Nodes(streams, options.WatchTimeout, CacheTransforms.NodeJson), CacheTransforms.Node, NodeFacts.Same);
        Queues = Watcher(WatchSources.HandoffQueues(streams, options.WatchTimeout), CacheTransforms.Queue);
        PriorityClasses = Watcher(WatchSources.PriorityClasses(streams, options.WatchTimeout), CacheTransforms.PriorityClass);
        Namespaces = Watcher(WatchSources.Namespaces(streams, options.WatchTimeout), CacheTransforms.Namespace);
        Queue = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(60));
        MemoryTrim = new IdleMemoryTrim(time, options.IdleMemoryTrim, static () => GC.GetTotalAllocatedBytes(), () =>
        {
            ForgetDerived();
            IdleMemoryTrim.CollectAggressively();
        });
    }

    public ResourceWatcher<HandoffNode> HandoffNodes { get; }

    public ResourceWatcher<HandoffFunction> Functions { get; }

    public ResourceWatcher<PodRecord> Pods { get; }

    public ResourceWatcher<V1Node> Nodes { get; }

    public ResourceWatcher<HandoffQueue> Queues { get; }

    public ResourceWatcher<V1PriorityClass> PriorityClasses { get; }

    public ResourceWatcher<V1Namespace> Namespaces { get; }

    public WorkQueue<string> Queue { get; }

    /// <summary>Gives the last burst's memory back once nothing happens for a while (<see cref="OperatorOptions.IdleMemoryTrim"/>).</summary>
    public IdleMemoryTrim MemoryTrim { get; }

    public OperatorOptions Options => _options;

    /// <summary>The reconciler of the current leadership term (null while not leading).</summary>
    public Reconciler? Reconciler { get; private set; }

    /// <summary>Objects the informers could not decode, across all of them.</summary>
    public IReadOnlyList<InvalidObject> InvalidObjects =>
        [.. HandoffNodes.Invalid, .. Functions.Invalid, .. Pods.Invalid, .. Nodes.Invalid, .. Queues.Invalid];

    public bool IsLeader => _leadership.IsLeader;

    public bool IsHealthy => !_faulted;

    public bool IsReady => HandoffNodes.HasSynced && Functions.HasSynced && Pods.HasSynced && Nodes.HasSynced
        && Queues.HasSynced && PriorityClasses.HasSynced && Namespaces.HasSynced;

    /// <summary>Completed reconcile passes (all terms).</summary>
    public int Passes => Volatile.Read(ref _passes);

    /// <summary>Reconcile passes started (all terms), whether they completed or failed.</summary>
    public int PassesStarted => Volatile.Read(ref _passesStarted);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watchers = new[]
        {
            HandoffNodes.RunAsync(stoppingToken), Functions.RunAsync(stoppingToken),
            Pods.RunAsync(stoppingToken), Nodes.RunAsync(stoppingToken),
            Queues.RunAsync(stoppingToken), PriorityClasses.RunAsync(stoppingToken), Namespaces.RunAsync(stoppingToken),
            MemoryTrim.RunAsync(took => { _metrics.MemoryTrims.Inc(); Log.MemoryTrimmed(_logger, took.TotalMilliseconds, GC.GetTotalMemory(false) / (1024 * 1024)); }, stoppingToken),
        };
        try
        {
            await _leadership.RunAsync(LeadAsync, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _faulted = true;
            Log.LoopFailed(_logger, ex);
            throw;
        }
        finally
        {
            Queue.ShutDown();
            await Task.WhenAll(watchers);
        }
    }

    private ResourceWatcher<T> Watcher<T>(IWatchSource<T> source, Func<T, T> transform, Func<T, T, bool>? same = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var watcher = new ResourceWatcher<T>(source, _time, _options.ResyncPeriod, _loggerFactory.CreateLogger<ResourceWatcher<T>>(), transform, same)
        {
            ListPageSize = _options.ListPageSize,
        };
        watcher.Changed += (_, _) =>
        {
            MemoryTrim.NoteActivity();
            Queue.Add(SyncKey);
        };
        watcher.Error += _ => _metrics.ApiErrors.WithLabels("watch-" + source.Name).Inc();
        return watcher;
    }

    public override void Dispose()
    {
        _passGate.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// The term's derived memos are dropped when the operator goes quiet (<see cref="TermState.ForgetDerived"/>) — only
    /// between passes: a pass that starts meanwhile keeps them, and the trim comes again once it is quiet again.
    /// </summary>
    private void ForgetDerived()
    {
        if (Volatile.Read(ref _term) is not { } state || !_passGate.Wait(0))
        {
            return;
        }

        try
        {
            state.ForgetDerived();
        }
        finally
        {
            _passGate.Release();
        }
    }

    private async Task LeadAsync(CancellationToken term)
    {
        _metrics.IsLeader.Set(1);
        try
        {
            await Task.WhenAll(
                HandoffNodes.WaitForSyncAsync(term), Functions.WaitForSyncAsync(term),
                Pods.WaitForSyncAsync(term), Nodes.WaitForSyncAsync(term), Queues.WaitForSyncAsync(term),
                PriorityClasses.WaitForSyncAsync(term), Namespaces.WaitForSyncAsync(term));
            var state = new TermState(Allocators.TryParseStrategy(_options.DefaultStrategy, out var strategy) ? strategy : AllocationStrategy.FirstAvailable);
            var api = new ApiCalls(_metrics);
            var reconciler = new Reconciler(
                _options, _time, _metrics, state,
                new Actuator(_client, _streams, api, _leadership, Pods.Cache, _time, _loggerFactory.CreateLogger<Actuator>()),
                new StatusWriter(_client, _streams, api, _leadership, Functions.Cache, HandoffNodes.Cache, _events, state, _time, _loggerFactory.CreateLogger<StatusWriter>())
                {
                    Queues = Queues.Cache,
                },
                _loggerFactory.CreateLogger<Reconciler>(),
                HandoffNodes.Cache, Functions.Cache, Pods.Cache, Nodes.Cache, () => InvalidObjects)
            {
                QueueCaches = new QueueCaches(Queues.Cache, PriorityClasses.Cache, Namespaces.Cache),
            };
            Reconciler = reconciler;
            Volatile.Write(ref _term, state);
            Log.Leading(_logger);
            Queue.Add(SyncKey);
            // Real time, whatever clock the operator's decisions read (a test's): the spacing saves CPU, it decides nothing.
            var spacing = new PassSpacing(TimeProvider.System, _options.MinPassInterval);
            while (!term.IsCancellationRequested)
            {
                var (key, ok) = await Queue.GetAsync(term);
                if (!ok || key is null)
                {
                    return;
                }

                try
                {
                    if (spacing.WaitBeforeNext() is var wait && wait > TimeSpan.Zero)
                    {
                        // What changes during the wait is read by this pass: it reads the caches as it starts.
                        await Task.Delay(wait, term);
                    }

                    spacing.NoteStart();
                    var started = _time.GetTimestamp();
                    MemoryTrim.NoteActivity();
                    Interlocked.Increment(ref _passesStarted);
                    TimeSpan? next;
                    await _passGate.WaitAsync(term);
                    try
                    {
                        next = await reconciler.ReconcileAsync(term);
                    }
                    finally
                    {
                        _passGate.Release();
                    }

                    _metrics.ReconcileDuration.Observe(_time.GetElapsedTime(started).TotalSeconds);
                    Interlocked.Increment(ref _passes);
                    Queue.Forget(key);
                    if (next is { } delay)
                    {
                        Queue.AddAfter(key, delay);
                    }
                }
                catch (OperationCanceledException) when (term.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    Log.PassFailed(_logger, ex);
                    Queue.AddRateLimited(key);
                }
                finally
                {
                    Queue.Done(key);
                }
            }
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
        }
        finally
        {
            Reconciler = null;
            Volatile.Write(ref _term, null);
            _metrics.IsLeader.Set(0);
        }
    }
}
