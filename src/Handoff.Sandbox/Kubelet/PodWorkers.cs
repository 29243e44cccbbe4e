using Handoff.Api;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Controllers;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Kubelet;

/// <summary>
/// The kubelet's pod workers for the simulated nodes: admission (and devices) when a pod bound to one of them is
/// first seen, start, the run for its duration, termination after deletion, and the release of its resources.
/// </summary>
internal sealed class PodWorkers : IDisposable
{
    private readonly ApiEngine _engine;
    private readonly SandboxOptions _options;
    private readonly ConcurrentDictionary<string, int> _nodes;
    private readonly Lock _podsLock = new();
    private readonly Dictionary<string, PodRecord> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ResourceType _podType;
    private readonly ResourceType _nodeType;
    private readonly PodStatuses _statuses;
    private readonly DeviceManager _devices = new();
    private readonly EventRecorder _events;
    private int _ipCounter;

    /// <param name="nodes">The simulated nodes by name, with their index (for addresses).</param>
    public PodWorkers(ApiEngine engine, SandboxOptions options, ConcurrentDictionary<string, int> nodes)
    {
        _engine = engine;
        _options = options;
        _nodes = nodes;
        _podType = engine.Builtin("", "pods");
        _nodeType = engine.Builtin("", "nodes");
        _statuses = new PodStatuses(engine);
        _events = new EventRecorder(engine, "kubelet");
    }

    public PodStatuses Statuses => _statuses;

    /// <summary>What the kubelet knows of a pod bound to one of its nodes.</summary>
    private sealed class PodRecord(string node)
    {
        public string Node { get; } = node;

        /// <summary>The effective request, while the pod holds its node's resources (admitted and not finished).</summary>
        public ResourceAmounts? Holding { get; set; }

        public CancellationTokenSource? Running { get; set; }

        public bool Terminating { get; set; }
    }

    private JsonObject? NodeObject(string name) => _engine.TryGet(_nodeType, null, name)?.Node;

    private static bool IsReady(JsonObject? node) => StatusConditions.Status(node, "Ready") == "True";

    public void Forget(StoredObject pod)
    {
        PodRecord? record;
        lock (_podsLock)
        {
            _pods.Remove(pod.Uid, out record);
        }

        if (record?.Running is { } running)
        {
            running.Cancel();
            running.Dispose();
        }

        _devices.Release(pod.Uid);
    }

    /// <summary>Moves a pod bound to one of the nodes along: admission, start, termination, release when it ends.</summary>
    public void Consider(StoredObject pod)
    {
        var nodeName = JsonNodes.GetString(pod.Node["spec"], "nodeName");
        if (string.IsNullOrEmpty(nodeName) || !_nodes.ContainsKey(nodeName))
        {
            return;
        }

        var phase = JsonNodes.GetString(pod.Node["status"], "phase");
        var terminal = PodPhase.IsTerminal(pod.Node);
        var deleting = ObjectMeta.IsDeleting(pod.Node);
        var node = NodeObject(nodeName);
        AdmissionResult? rejected = null;
        string? devices = null;
        var start = false;
        var terminate = false;
        PodRecord record;
        lock (_podsLock)
        {
            if (!_pods.TryGetValue(pod.Uid, out var existing))
            {
                existing = new PodRecord(nodeName);
                _pods[pod.Uid] = existing;
                if (!terminal && !deleting && node is not null)
                {
                    // A pod already Running was started by someone else (a test driving it): it holds its resources as is.
                    var others = _pods.Where(p => p.Key != pod.Uid && p.Value.Node == nodeName && p.Value.Holding is not null).Select(p => p.Value.Holding!).ToList();
                    var verdict = phase == "Running" ? AdmissionResult.Admit : PodAdmission.Check(pod.Node, node, others);
                    if (verdict.Admitted)
                    {
                        existing.Holding = PodRequests.Effective(pod.Node["spec"]);
                        devices = _devices.Allocate(nodeName, pod.Uid, pod.Node["spec"], node);
                    }
                    else
                    {
                        rejected = verdict;
                    }
                }
            }

            record = existing;
            if (terminal)
            {
                // Finished: its resources and devices are free again.
                record.Holding = null;
            }

            if (deleting && !record.Terminating)
            {
                record.Terminating = true;
                terminate = true;
            }
            else if (!terminal && !deleting && record.Holding is not null && record.Running is null && IsReady(node))
            {
                record.Running = new CancellationTokenSource();
                start = true;
            }
        }

        if (terminal)
        {
            _devices.Release(pod.Uid);
        }

        Act(pod, nodeName, rejected, devices, start ? record.Running : null, terminate ? record : null);
    }

    private void Act(StoredObject pod, string nodeName, AdmissionResult? rejected, string? devices, CancellationTokenSource? start, PodRecord? terminate)
    {
        try
        {
            if (rejected is not null)
            {
                _events.Record(pod, "v1", "Pod", "Warning", rejected.Reason, rejected.Message, nodeName);
                _statuses.Reject(pod.Namespace, pod.Name, pod.Uid, rejected.Reason, rejected.Message);
            }

            if (devices is not null)
            {
                RecordDevices(pod, devices);
            }
        }
        catch (ApiException)
        {
            // The pod went away meanwhile.
        }

        if (start is not null)
        {
            _ = Task.Run(() => RunPodAsync(pod, nodeName, start.Token));
        }

        if (terminate is not null)
        {
            terminate.Running?.Cancel();
            _ = Task.Run(() => TerminatePodAsync(pod, _stopping.Token));
        }
    }

    /// <summary>The device plugin's answer, recorded where tests can see it (a real kubelet hands it to the container runtime).</summary>
    private void RecordDevices(StoredObject pod, string devices) =>
        _engine.Mutate(_podType, pod.Namespace, pod.Name, doc =>
        {
            var meta = JsonNodes.Metadata(doc);
            var annotations = meta["annotations"] as JsonObject ?? [];
            meta["annotations"] = annotations;
            annotations[SimulatedKubelet.DevicesAnnotation] = devices;
            return true;
        }, uid: pod.Uid);

    private async Task RunPodAsync(StoredObject pod, string nodeName, CancellationToken ct)
    {
        try
        {
            var annotations = JsonNodes.At(pod.Node, "metadata", "annotations") as JsonObject;
            var hasDuration = GoDuration.TryParse(JsonNodes.GetString(annotations, SimulatedKubelet.DurationAnnotation) ?? JsonNodes.GetString(annotations, SimulatedKubelet.DeprecatedDurationAnnotation), out var duration);
            if (!hasDuration)
            {
                duration = _options.DefaultPodDuration;
            }

            var exitCode = int.TryParse(JsonNodes.GetString(annotations, SimulatedKubelet.ExitCodeAnnotation), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) ? code : 0;
            var message = JsonNodes.GetString(annotations, SimulatedKubelet.ResultAnnotation);
            if (JsonNodes.GetString(pod.Node["status"], "phase") != "Running")
            {
                _statuses.Start(pod.Namespace, pod.Name, pod.Uid, HostIp(nodeName), PodIp(nodeName));
            }

            if (!hasDuration && JsonNodes.GetString(pod.Node["spec"], "restartPolicy") == "Always")
            {
                // A server: runs until deleted.
                return;
            }

            if (duration > TimeSpan.Zero)
            {
                await Task.Delay(duration, _engine.Time, ct);
            }

            ct.ThrowIfCancellationRequested();
            _statuses.Finish(pod.Namespace, pod.Name, pod.Uid, exitCode, message);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ApiException)
        {
            // The pod went away or changed in a way the kubelet cannot follow; nothing to do.
        }
    }

    /// <summary>
    /// A deleted pod: its containers stop after the termination time (annotation, else the default), cut at the grace
    /// period (then killed); the pod is made Failed, then removed with grace period 0, as the kubelet's status manager does.
    /// </summary>
    private async Task TerminatePodAsync(StoredObject pod, CancellationToken ct)
    {
        try
        {
            var grace = TimeSpan.FromSeconds(GracefulDeletion.GracePeriod(pod.Node));
            if (!GoDuration.TryParse(JsonNodes.GetString(JsonNodes.At(pod.Node, "metadata", "annotations"), SimulatedKubelet.TerminationAnnotation), out var stopping))
            {
                stopping = _options.DefaultTerminationDuration;
            }

            var killed = stopping > grace || grace == TimeSpan.Zero;
            var wait = stopping < grace ? stopping : grace;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _engine.Time, ct);
            }

            _statuses.Stop(pod.Namespace, pod.Name, pod.Uid, killed);
            _engine.Delete(_podType, pod.Namespace, pod.Name, new DeleteOptions(PreconditionUid: pod.Uid, GracePeriodSeconds: 0));
        }
        catch (OperationCanceledException)
        {
        }
        catch (ApiException)
        {
            // Already removed (forced, or by the pod garbage collector), or replaced by a new pod of the same name.
        }
    }

    public string HostIp(string node) => NodeObjects.HostIp(_nodes.GetValueOrDefault(node));

    public string PodIp(string node)
    {
        var n = Interlocked.Increment(ref _ipCounter);
        return $"10.244.{_nodes.GetValueOrDefault(node).ToString(CultureInfo.InvariantCulture)}.{(n % 250 + 2).ToString(CultureInfo.InvariantCulture)}";
    }

    public void Dispose()
    {
        _stopping.Cancel();
        lock (_podsLock)
        {
            foreach (var record in _pods.Values)
            {
                record.Running?.Cancel();
            }
        }

        _stopping.Dispose();
    }
}
