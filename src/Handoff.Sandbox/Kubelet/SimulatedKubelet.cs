using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Handoff.Api;
using Handoff.Sandbox.Http;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox;

/// <summary>
/// The simulated nodes and their kubelet. Each pod bound to a simulated node goes Pending → Running →
/// Succeeded/Failed after a duration, with container statuses like the real kubelet's. Annotations on the pod:
/// <c>handoff.dev/sandbox-duration</c> (Go duration, default <see cref="SandboxOptions.DefaultPodDuration"/>),
/// <c>handoff.dev/sandbox-exit-code</c> (default 0) and <c>handoff.dev/sandbox-result</c> (the first container's
/// termination message). With <see cref="SandboxOptions.SimulateKubelet"/> off, pods stay as they are and tests drive
/// them with <see cref="StartPod"/> and <see cref="FinishPod"/>.
/// </summary>
public sealed class SimulatedKubelet : IAsyncDisposable
{
    /// <summary>How long the pod runs (Go duration: 1s, 1.5s, 500ms, 2m, 0s).</summary>
    public const string DurationAnnotation = "handoff.dev/sandbox-duration";

    /// <summary>The exit code of the first container (non-zero = Failed).</summary>
    public const string ExitCodeAnnotation = "handoff.dev/sandbox-exit-code";

    /// <summary>The termination message of the first container.</summary>
    public const string ResultAnnotation = "handoff.dev/sandbox-result";

    /// <summary>Annotation on every simulated node.</summary>
    public const string SimulatedNodeAnnotation = "handoff.dev/sandbox-node";

    private const int MaxTerminationMessageBytes = 4096;
    private readonly ApiEngine _engine;
    private readonly SandboxOptions _options;
    private readonly ConcurrentDictionary<string, int> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ResourceType _podType;
    private readonly ResourceType _nodeType;
    private Task _loop = Task.CompletedTask;
    private int _nodeIndex;
    private int _ipCounter;

    internal SimulatedKubelet(ApiEngine engine, SandboxOptions options)
    {
        _engine = engine;
        _options = options;
        _podType = engine.Registry.Find("", "v1", "pods")!;
        _nodeType = engine.Registry.Find("", "v1", "nodes")!;
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
    }

    /// <summary>Adds a node (a Node object with Ready condition, capacity and allocatable).</summary>
    public void AddNode(SandboxNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var index = Interlocked.Increment(ref _nodeIndex);
        var allocatable = node.EffectiveAllocatable();
        var labels = new JsonObject
        {
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = "amd64",
        };
        foreach (var (k, v) in node.Labels)
        {
            labels[k] = v;
        }

        var resources = new JsonObject();
        foreach (var (k, v) in allocatable)
        {
            resources[k] = v;
        }

        var now = Jn.Timestamp(_engine.Time.GetUtcNow());
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = node.Name,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { [SimulatedNodeAnnotation] = "true", ["node.alpha.kubernetes.io/ttl"] = "0" },
            },
            ["spec"] = new JsonObject { ["podCIDR"] = $"10.244.{index.ToString(CultureInfo.InvariantCulture)}.0/24" },
            ["status"] = new JsonObject
            {
                ["capacity"] = resources.DeepClone(),
                ["allocatable"] = resources,
                ["conditions"] = new JsonArray(
                    Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                    Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                    Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                    ReadyCondition(node.Ready, now)),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = $"10.0.0.{(index + 10).ToString(CultureInfo.InvariantCulture)}" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = node.Name }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
                ["nodeInfo"] = new JsonObject
                {
                    ["machineID"] = Guid.NewGuid().ToString("N"),
                    ["systemUUID"] = Guid.NewGuid().ToString(),
                    ["bootID"] = Guid.NewGuid().ToString(),
                    ["kernelVersion"] = "6.8.0-sandbox",
                    ["osImage"] = "Handoff Sandbox (simulated node)",
                    ["containerRuntimeVersion"] = "sandbox://1.0.0",
                    ["kubeletVersion"] = Discovery.KubeletVersion,
                    ["kubeProxyVersion"] = Discovery.KubeletVersion,
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                },
            },
        };
        if (node.Unschedulable)
        {
            ((JsonObject)obj["spec"]!)["unschedulable"] = true;
        }

        if (!node.Ready)
        {
            ((JsonObject)obj["spec"]!)["taints"] = NotReadyTaints(now);
        }

        _engine.Create(_nodeType, null, obj, WriteOptions.Internal, []);
        _nodes[node.Name] = index;
        if (Enabled)
        {
            Rescan();
        }
    }

    private static JsonArray NotReadyTaints(string now) =>
        new(new JsonObject { ["key"] = "node.kubernetes.io/not-ready", ["effect"] = "NoSchedule", ["timeAdded"] = now });

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastHeartbeatTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static JsonObject ReadyCondition(bool ready, string now) => ready
        ? Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)
        : Condition("Ready", "False", "KubeletNotReady", "simulated: node marked not ready", now);

    /// <summary>Removes a node; pods bound to it are deleted (as the pod garbage collector does for vanished nodes).</summary>
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
                _engine.Delete(_podType, pod.Namespace, pod.Name, new DeleteOptions());
            }
            catch (ApiException e) when (e.Code == 404)
            {
            }
        }
    }

    private List<StoredObject> PodsOn(string node) =>
        _engine.CollectionOf(_podType).List(new Query(null, LabelSelector.Everything, FieldSelector.Parse($"spec.nodeName={node}", _podType))).Items;

    /// <summary>Flips the node's Ready condition (and the not-ready taint). Pods on a NotReady node do not start.</summary>
    public void SetNodeReady(string name, bool ready)
    {
        var now = Jn.Timestamp(_engine.Time.GetUtcNow());
        var result = _engine.Mutate(_nodeType, null, name, doc =>
        {
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            var conditions = status["conditions"] as JsonArray ?? [];
            status["conditions"] = conditions;
            var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => Jn.GetString(c, "type") == "Ready");
            if (existing is not null && (Jn.GetString(existing, "status") == "True") == ready)
            {
                return false;
            }

            if (existing is not null)
            {
                conditions.Remove(existing);
            }

            conditions.Add(ReadyCondition(ready, now));
            var spec = doc["spec"] as JsonObject ?? [];
            doc["spec"] = spec;
            var taints = (spec["taints"] as JsonArray)?.Where(t => Jn.GetString(t, "key") != "node.kubernetes.io/not-ready").Select(t => t?.DeepClone()).ToList() ?? [];
            if (!ready)
            {
                taints.AddRange(NotReadyTaints(now).Select(t => t?.DeepClone()));
            }

            if (taints.Count == 0)
            {
                spec.Remove("taints");
            }
            else
            {
                spec["taints"] = new JsonArray([.. taints]);
            }

            return true;
        }) ?? throw new ArgumentException($"no node named \"{name}\"", nameof(name));
        _ = result;
        if (ready && Enabled)
        {
            Rescan();
        }
    }

    private bool NodeReady(string name)
    {
        var node = _engine.TryGet(_nodeType, null, name);
        return node is not null && Jn.At(node.Node, "status", "conditions") is JsonArray conditions &&
            conditions.Any(c => Jn.GetString(c, "type") == "Ready" && Jn.GetString(c, "status") == "True");
    }

    private void Rescan()
    {
        foreach (var pod in _engine.CollectionOf(_podType).Snapshot())
        {
            Consider(pod);
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
                        if (_running.TryRemove(PodKey(item.Object!), out var cts))
                        {
                            await cts.CancelAsync();
                        }

                        continue;
                    }

                    if (item.Object is { } pod)
                    {
                        Consider(pod);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string PodKey(StoredObject pod) => pod.Namespace + "/" + pod.Name + "/" + pod.Uid;

    private void Consider(StoredObject pod)
    {
        var node = Jn.GetString(pod.Node["spec"], "nodeName");
        if (string.IsNullOrEmpty(node) || !_nodes.ContainsKey(node))
        {
            return;
        }

        var phase = Jn.GetString(pod.Node["status"], "phase");
        if (phase is "Succeeded" or "Failed" || Jn.At(pod.Node, "metadata", "deletionTimestamp") is not null || !NodeReady(node))
        {
            return;
        }

        var key = PodKey(pod);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        if (!_running.TryAdd(key, cts))
        {
            cts.Dispose();
            return;
        }

        _ = Task.Run(() => RunPodAsync(pod, key, cts.Token));
    }

    private async Task RunPodAsync(StoredObject pod, string key, CancellationToken ct)
    {
        try
        {
            var annotations = Jn.At(pod.Node, "metadata", "annotations") as JsonObject;
            var durationText = Jn.GetString(annotations, DurationAnnotation);
            var hasDuration = GoDuration.TryParse(durationText, out var duration);
            if (!hasDuration)
            {
                duration = _options.DefaultPodDuration;
            }

            var exitCode = int.TryParse(Jn.GetString(annotations, ExitCodeAnnotation), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) ? code : 0;
            var message = Jn.GetString(annotations, ResultAnnotation);
            var runsForever = !hasDuration && Jn.GetString(pod.Node["spec"], "restartPolicy") == "Always";
            if (Jn.GetString(pod.Node["status"], "phase") != "Running")
            {
                StartPodCore(pod.Namespace, pod.Name, pod.Uid);
            }

            if (runsForever)
            {
                return;
            }

            if (duration > TimeSpan.Zero)
            {
                await Task.Delay(duration, _engine.Time, ct);
            }

            FinishPodCore(pod.Namespace, pod.Name, exitCode, message, pod.Uid);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ApiException)
        {
            // The pod went away or changed in a way the kubelet cannot follow; nothing to do.
        }
        finally
        {
            if (_running.TryRemove(key, out var cts))
            {
                cts.Dispose();
            }
        }
    }

    /// <summary>Moves a pod to Running (container statuses running, Ready). For tests that drive pods themselves.</summary>
    public void StartPod(string @namespace, string name) => StartPodCore(@namespace, name, null);

    private void StartPodCore(string ns, string name, string? uid)
    {
        var now = Jn.Timestamp(_engine.Time.GetUtcNow());
        var result = _engine.Mutate(_podType, ns, name, doc =>
        {
            if (uid is not null && Jn.ScalarText(Jn.At(doc, "metadata", "uid")) != uid)
            {
                return false;
            }

            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            var phase = Jn.GetString(status, "phase");
            if (phase is "Running" or "Succeeded" or "Failed")
            {
                return false;
            }

            var nodeName = Jn.GetString(doc["spec"], "nodeName") ?? "";
            status["phase"] = "Running";
            status["hostIP"] = HostIp(nodeName);
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = HostIp(nodeName) });
            var podIp = PodIp(nodeName);
            status["podIP"] = podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
            status["startTime"] = now;
            ApiEngine.SetCondition(status, "PodReadyToStartContainers", "True", null, null, now);
            ApiEngine.SetCondition(status, "Initialized", "True", null, null, now);
            ApiEngine.SetCondition(status, "Ready", "True", null, null, now);
            ApiEngine.SetCondition(status, "ContainersReady", "True", null, null, now);
            ApiEngine.SetCondition(status, "PodScheduled", "True", null, null, now);
            var statuses = new JsonArray();
            foreach (var c in (Jn.At(doc, "spec", "containers") as JsonArray ?? []).OfType<JsonObject>())
            {
                var cname = Jn.GetString(c, "name") ?? "";
                var image = Jn.GetString(c, "image") ?? "";
                statuses.Add(new JsonObject
                {
                    ["name"] = cname,
                    ["image"] = image,
                    ["imageID"] = "sandbox://" + image,
                    ["containerID"] = ContainerId(doc, cname),
                    ["ready"] = true,
                    ["started"] = true,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
                    ["lastState"] = new JsonObject(),
                });
            }

            status["containerStatuses"] = statuses;
            return true;
        }, subresource: "status");
        if (result is null)
        {
            throw ApiException.NotFound("pods", "", "pods", name);
        }
    }

    /// <summary>
    /// Ends a pod: its first container exits with <paramref name="exitCode"/> and <paramref name="message"/> as the
    /// termination message (truncated to 4096 bytes, like the kubelet); Succeeded when 0, else Failed.
    /// </summary>
    public void FinishPod(string @namespace, string name, int exitCode = 0, string? message = null) => FinishPodCore(@namespace, name, exitCode, message, null);

    private void FinishPodCore(string ns, string name, int exitCode, string? message, string? uid)
    {
        var now = Jn.Timestamp(_engine.Time.GetUtcNow());
        if (message is not null && Encoding.UTF8.GetByteCount(message) > MaxTerminationMessageBytes)
        {
            var bytes = Encoding.UTF8.GetBytes(message);
            message = Encoding.UTF8.GetString(bytes, 0, MaxTerminationMessageBytes);
        }

        var result = _engine.Mutate(_podType, ns, name, doc =>
        {
            if (uid is not null && Jn.ScalarText(Jn.At(doc, "metadata", "uid")) != uid)
            {
                return false;
            }

            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            if (Jn.GetString(status, "phase") is "Succeeded" or "Failed")
            {
                return false;
            }

            var started = Jn.GetString(status, "startTime") ?? now;
            var failed = exitCode != 0;
            status["phase"] = failed ? "Failed" : "Succeeded";
            status["startTime"] = started;
            var reason = failed ? "PodFailed" : "PodCompleted";
            ApiEngine.SetCondition(status, "PodReadyToStartContainers", "False", null, null, now);
            ApiEngine.SetCondition(status, "Initialized", "True", reason, null, now);
            ApiEngine.SetCondition(status, "Ready", "False", reason, null, now);
            ApiEngine.SetCondition(status, "ContainersReady", "False", reason, null, now);
            var statuses = new JsonArray();
            var first = true;
            foreach (var c in (Jn.At(doc, "spec", "containers") as JsonArray ?? []).OfType<JsonObject>())
            {
                var cname = Jn.GetString(c, "name") ?? "";
                var image = Jn.GetString(c, "image") ?? "";
                var code = first ? exitCode : 0;
                var terminated = new JsonObject
                {
                    ["exitCode"] = code,
                    ["reason"] = code == 0 ? "Completed" : "Error",
                    ["startedAt"] = started,
                    ["finishedAt"] = now,
                    ["containerID"] = ContainerId(doc, cname),
                };
                if (first && !string.IsNullOrEmpty(message))
                {
                    terminated["message"] = message;
                }

                statuses.Add(new JsonObject
                {
                    ["name"] = cname,
                    ["image"] = image,
                    ["imageID"] = "sandbox://" + image,
                    ["containerID"] = ContainerId(doc, cname),
                    ["ready"] = false,
                    ["started"] = false,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["terminated"] = terminated },
                    ["lastState"] = new JsonObject(),
                });
                first = false;
            }

            status["containerStatuses"] = statuses;
            return true;
        }, subresource: "status");
        if (result is null)
        {
            throw ApiException.NotFound("pods", "", "pods", name);
        }
    }

    private static string ContainerId(JsonObject pod, string container) =>
        $"sandbox://{Jn.ScalarText(Jn.At(pod, "metadata", "uid"))[..Math.Min(8, Jn.ScalarText(Jn.At(pod, "metadata", "uid")).Length)]}-{container}";

    private string HostIp(string node) => $"10.0.0.{(_nodes.GetValueOrDefault(node) + 10).ToString(CultureInfo.InvariantCulture)}";

    private string PodIp(string node)
    {
        var n = Interlocked.Increment(ref _ipCounter);
        return $"10.244.{_nodes.GetValueOrDefault(node).ToString(CultureInfo.InvariantCulture)}.{(n % 250 + 2).ToString(CultureInfo.InvariantCulture)}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var cts in _running.Values)
        {
            await cts.CancelAsync();
        }

        _stopping.Dispose();
    }
}
