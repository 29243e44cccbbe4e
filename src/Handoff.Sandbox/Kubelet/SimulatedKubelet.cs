using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Kubelet;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox;

/// <summary>
/// The simulated nodes and their kubelet. A pod bound to a simulated node is first admitted (it must fit in what
/// the node has left, match its affinity, tolerate its NoExecute taints; else it fails with the kubelet's reason),
/// gets its devices, then goes Running and Succeeded/Failed after a duration, with container statuses like the real
/// kubelet's. A deleted pod is stopped after its termination time (at most its grace period), made Failed, then
/// removed. Annotations on the pod: <see cref="DurationAnnotation"/>, <see cref="ExitCodeAnnotation"/>,
/// <see cref="ResultAnnotation"/>, <see cref="TerminationAnnotation"/>; the kubelet writes <see cref="DevicesAnnotation"/>.
/// With <see cref="SandboxOptions.SimulateKubelet"/> off, pods stay as they are and tests drive them with
/// <see cref="StartPod"/> and <see cref="FinishPod"/> (and remove deleted ones themselves, with grace period 0).
/// </summary>
public sealed class SimulatedKubelet : IAsyncDisposable
{
    /// <summary>How long the pod runs (Go duration: 1s, 1.5s, 500ms, 2m, 0s): the annotation <c>handoff plan</c> reads too.</summary>
    public const string DurationAnnotation = "handoff.dev/duration";

    /// <summary>The old name of <see cref="DurationAnnotation"/>, still read when it is absent (deprecated).</summary>
    public const string DeprecatedDurationAnnotation = "handoff.dev/sandbox-duration";

    /// <summary>The exit code of the first container (non-zero = Failed).</summary>
    public const string ExitCodeAnnotation = "handoff.dev/sandbox-exit-code";

    /// <summary>The termination message of the first container.</summary>
    public const string ResultAnnotation = "handoff.dev/sandbox-result";

    /// <summary>How long the pod takes to stop once deleted (Go duration), never more than its grace period.</summary>
    public const string TerminationAnnotation = "handoff.dev/sandbox-termination";

    /// <summary>Written by the kubelet: the devices allocated to the pod, <c>nvidia.com/gpu=GPU-gpu-1-0,GPU-gpu-1-1</c> (resources joined by <c>;</c>).</summary>
    public const string DevicesAnnotation = "handoff.dev/sandbox-devices";

    /// <summary>Annotation on every simulated node.</summary>
    public const string SimulatedNodeAnnotation = "handoff.dev/sandbox-node";

    private readonly ApiEngine _engine;
    private readonly SandboxOptions _options;
    private readonly ConcurrentDictionary<string, int> _nodes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ResourceType _podType;
    private readonly ResourceType _nodeType;
    private readonly PodWorkers _workers;
    private Task _loop = Task.CompletedTask;
    private Task _statusReports = Task.CompletedTask;
    private int _nodeIndex;

    internal SimulatedKubelet(ApiEngine engine, SandboxOptions options)
    {
        _engine = engine;
        _options = options;
        _podType = engine.Builtin("", "pods");
        _nodeType = engine.Builtin("", "nodes");
        _workers = new PodWorkers(engine, options, _nodes);
    }

    /// <summary>Whether pods are moved through their phases automatically.</summary>
    public bool Enabled => _options.SimulateKubelet;

    /// <summary>Names of the simulated nodes.</summary>
    public IReadOnlyCollection<string> NodeNames => [.. _nodes.Keys.Order(StringComparer.Ordinal)];

    internal void Start()
    {
        foreach (var node in _options.Nodes ?? SandboxNode.Defaults)
        {
            AddNode(node);
        }

        if (Enabled)
        {
            _loop = Task.Run(() => RunAsync(_stopping.Token));
        }

        if (_options.NodeStatusReportPeriod is { } period && period > TimeSpan.Zero)
        {
            _statusReports = Task.Run(() => ReportNodeStatusAsync(period, _stopping.Token));
        }
    }

    /// <summary>Registers a node (a Node object with its conditions, capacity, allocatable and taints).</summary>
    public void AddNode(SandboxNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var index = Interlocked.Increment(ref _nodeIndex);
        _engine.Create(_nodeType, null, NodeObjects.Build(node, index, _engine.Now()), WriteOptions.Internal, []);
        _nodes[node.Name] = index;
        if (Enabled)
        {
            Rescan();
        }
    }

    /// <summary>
    /// Registers a simulated node again from a new description (a Node manifest applied over a default node), as if its
    /// kubelet re-registered with new labels, taints and allocatable. Only a node no pod is bound to: false otherwise,
    /// and when no simulated node has that name.
    /// </summary>
    public bool ReplaceNode(SandboxNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_nodes.ContainsKey(node.Name) || PodsOn(node.Name).Count > 0)
        {
            return false;
        }

        RemoveNode(node.Name);
        AddNode(node);
        return true;
    }

    /// <summary>Removes a node; pods bound to it are deleted at once (what the pod garbage collector does for vanished nodes).</summary>
    public void RemoveNode(string name)
    {
        if (!_nodes.TryRemove(name, out _))
        {
            throw new ArgumentException($"no simulated node named \"{name}\"", nameof(name));
        }

        try
        {
            _engine.Delete(_nodeType, null, name, new DeleteOptions());
        }
        catch (ApiException e) when (e.Code == 404)
        {
            // Deleted through the API already.
        }

        foreach (var pod in PodsOn(name))
        {
            try
            {
                _engine.Delete(_podType, pod.Namespace, pod.Name, new DeleteOptions(PreconditionUid: pod.Uid, GracePeriodSeconds: 0));
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
            }
        }
    }

    private List<StoredObject> PodsOn(string node) =>
        _engine.CollectionOf(_podType).List(new Query(null, LabelSelector.Everything, FieldSelector.Parse($"spec.nodeName={node}", _podType))).Items;

    /// <summary>Flips the node's Ready condition (the node lifecycle controller sets the not-ready taint). Pods on a NotReady node do not start.</summary>
    public void SetNodeReady(string name, bool ready)
    {
        var now = _engine.Now();
        _ = _engine.Mutate(_nodeType, null, name, doc =>
        {
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            var conditions = status["conditions"] as JsonArray ?? [];
            status["conditions"] = conditions;
            var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == "Ready");
            if (existing is not null && (JsonNodes.GetString(existing, "status") == "True") == ready)
            {
                return false;
            }

            if (existing is not null)
            {
                conditions.Remove(existing);
            }

            conditions.Add(NodeObjects.ReadyCondition(ready, now));
            return true;
        }) ?? throw new ArgumentException($"no node named \"{name}\"", nameof(name));
        if (ready && Enabled)
        {
            Rescan();
        }
    }

    /// <summary>
    /// Each node's status posted once a period although nothing changed (the kubelet's <c>nodeStatusReportFrequency</c>):
    /// every condition's <c>lastHeartbeatTime</c> set to now. A node's turn is a fixed point of the period (its index
    /// times the golden ratio, so any number of nodes is spread evenly), checked a few dozen times a period.
    /// </summary>
    private async Task ReportNodeStatusAsync(TimeSpan period, CancellationToken ct)
    {
        var time = _options.TimeProvider;
        var tick = TimeSpan.FromTicks(Math.Clamp(period.Ticks / 50, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(1).Ticks));
        var started = time.GetUtcNow();
        var last = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = time.GetUtcNow() - started;
            foreach (var (name, index) in _nodes)
            {
                var turn = TimeSpan.FromTicks((long)(period.Ticks * ((index * 0.6180339887498949) % 1)));
                if (now >= turn && (now - turn).Ticks / period.Ticks * period.Ticks + turn.Ticks > last.Ticks)
                {
                    PostNodeStatus(name);
                }
            }

            last = now;
        }
    }

    private void PostNodeStatus(string name)
    {
        var now = _engine.Now();
        _ = _engine.Mutate(_nodeType, null, name, doc =>
        {
            foreach (var condition in (doc["status"] as JsonObject)?["conditions"] as JsonArray ?? [])
            {
                if (condition is JsonObject c)
                {
                    c["lastHeartbeatTime"] = now;
                }
            }

            return true;
        });
    }

    private void Rescan()
    {
        foreach (var pod in _engine.CollectionOf(_podType).Snapshot())
        {
            _workers.Consider(pod);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Re-opened when closed (fault injection closes every watch): the initial ADDED events re-sync.
            using var watcher = _engine.CollectionOf(_podType).Watch(Query.All, null, false);
            try
            {
                await foreach (var item in watcher.Reader.ReadAllAsync(ct))
                {
                    if (item.Type == WatchEventType.Deleted)
                    {
                        _workers.Forget(item.Object!);
                    }
                    else if (item.Object is { } pod)
                    {
                        _workers.Consider(pod);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Moves a pod to Running (container statuses running, Ready). For tests that drive pods themselves.</summary>
    public void StartPod(string @namespace, string name)
    {
        var node = JsonNodes.GetString(_engine.Get(_podType, @namespace, name).Node["spec"], "nodeName") ?? "";
        _workers.Statuses.Start(@namespace, name, null, _workers.HostIp(node), _workers.PodIp(node));
    }

    /// <summary>
    /// Ends a pod: its first container exits with <paramref name="exitCode"/> and <paramref name="message"/> as the
    /// termination message (truncated to 4096 bytes, like the kubelet); Succeeded when 0, else Failed.
    /// </summary>
    public void FinishPod(string @namespace, string name, int exitCode = 0, string? message = null) =>
        _workers.Statuses.Finish(@namespace, name, null, exitCode, message);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_loop, _statusReports);
        }
        catch (OperationCanceledException)
        {
        }

        _workers.Dispose();
        _stopping.Dispose();
    }
}
