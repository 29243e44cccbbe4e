using System.Globalization;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using k8s.Models;

namespace Handoff.Testing.Builders;

/// <summary>
/// Builds a function pod as the operator creates it and the kubelet reports it: name <c>function-attempt</c>, labels
/// <c>handoff.dev/function</c> and <c>handoff.dev/attempt</c>, a controller owner reference to the function by UID,
/// <c>schedulerName: handoff</c>, phase Pending, not bound. The rest says what happened to it: the HandoffNode and cost
/// annotations, bound, running, terminated (exit code, message, finishedAt), rejected by the kubelet, terminating.
/// </summary>
public sealed class FunctionPodBuilder
{
    private readonly string _namespace;
    private readonly string _function;
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _annotations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cost = new(StringComparer.Ordinal);
    private string _name;
    private string? _ownerUid;
    private string? _nodeName;
    private string _phase = "Pending";
    private string? _reason;
    private string? _message;
    private (int ExitCode, string Reason, string? Message, DateTimeOffset? FinishedAt)? _terminated;
    private bool _running;
    private DateTimeOffset _created = TestObjects.Epoch;
    private DateTimeOffset? _deleting;

    internal FunctionPodBuilder(HandoffFunction function, int attempt)
    {
        _namespace = function.Metadata.NamespaceProperty ?? "default";
        _function = function.Metadata.Name;
        _name = _function + "-" + attempt.ToString(CultureInfo.InvariantCulture);
        _ownerUid = function.Metadata.Uid;
        _labels[HandoffApi.FunctionLabel] = _function;
        _labels[HandoffApi.AttemptLabel] = attempt.ToString(CultureInfo.InvariantCulture);
    }

    public FunctionPodBuilder Named(string name)
    {
        _name = name;
        return this;
    }

    /// <summary>The <c>handoff.dev/attempt</c> label (the name is kept).</summary>
    public FunctionPodBuilder AttemptLabel(string value)
    {
        _labels[HandoffApi.AttemptLabel] = value;
        return this;
    }

    public FunctionPodBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    public FunctionPodBuilder WithoutLabel(string key)
    {
        _labels.Remove(key);
        return this;
    }

    /// <summary>Controlled by the function with this UID (e.g. an earlier function of the same name).</summary>
    public FunctionPodBuilder OwnedBy(string uid)
    {
        _ownerUid = uid;
        return this;
    }

    /// <summary>No owner reference: its function was deleted with orphaning.</summary>
    public FunctionPodBuilder Orphan()
    {
        _ownerUid = null;
        return this;
    }

    /// <summary>The <c>handoff.dev/node</c> annotation: the HandoffNode its capacity is held on.</summary>
    public FunctionPodBuilder OnHandoffNode(string handoffNode)
    {
        _annotations[HandoffApi.HandoffNodeAnnotation] = handoffNode;
        return this;
    }

    /// <summary>One entry of the <c>handoff.dev/cost</c> annotation: the cost it was placed with.</summary>
    public FunctionPodBuilder Cost(string resource, string quantity)
    {
        _cost[resource] = quantity;
        return this;
    }

    public FunctionPodBuilder Annotation(string key, string value)
    {
        _annotations[key] = value;
        return this;
    }

    /// <summary><c>spec.nodeName</c>: bound to this Kubernetes Node.</summary>
    public FunctionPodBuilder BoundTo(string nodeName)
    {
        _nodeName = nodeName;
        return this;
    }

    /// <summary>Bound to the Kubernetes Node of the same name as the HandoffNode, with the node annotation.</summary>
    public FunctionPodBuilder PlacedOn(string handoffNode) => OnHandoffNode(handoffNode).BoundTo(handoffNode);

    public FunctionPodBuilder Running()
    {
        _phase = "Running";
        _running = true;
        return this;
    }

    /// <summary>Succeeded: the first container exited 0 with <paramref name="result"/> as its termination message.</summary>
    public FunctionPodBuilder Succeeded(string? result = null, DateTimeOffset? finishedAt = null) =>
        Terminated("Succeeded", 0, "Completed", result, finishedAt);

    /// <summary>Failed: the first container exited with <paramref name="exitCode"/>.</summary>
    public FunctionPodBuilder Failed(int exitCode = 1, string? message = null, DateTimeOffset? finishedAt = null, string reason = "Error") =>
        Terminated("Failed", exitCode, reason, message, finishedAt);

    /// <summary>Phase Failed with the kubelet's admission reason (<c>OutOfcpu</c>, <c>Taint</c>…): the pod never ran.</summary>
    public FunctionPodBuilder RejectedByKubelet(string reason, string? message = null)
    {
        _phase = "Failed";
        _reason = reason;
        _message = message ?? $"Pod was rejected: {reason}";
        _terminated = null;
        _running = false;
        return this;
    }

    /// <summary>A phase set directly (e.g. <c>Unknown</c>).</summary>
    public FunctionPodBuilder Phase(string phase, string? reason = null, string? message = null)
    {
        _phase = phase;
        _reason = reason;
        _message = message;
        return this;
    }

    /// <summary><c>metadata.deletionTimestamp</c>: deletion requested, the pod still runs its grace period.</summary>
    public FunctionPodBuilder Terminating(DateTimeOffset? at = null)
    {
        _deleting = at ?? TestObjects.Epoch;
        return this;
    }

    public FunctionPodBuilder CreatedAt(DateTimeOffset created)
    {
        _created = created;
        return this;
    }

    public V1Pod Build()
    {
        var terminated = _terminated is { } t
            ? new V1ContainerStateTerminated
            {
                ExitCode = t.ExitCode,
                Reason = t.Reason,
                Message = t.Message,
                StartedAt = _created.UtcDateTime,
                FinishedAt = (t.FinishedAt ?? _created).UtcDateTime,
            }
            : null;
        var annotations = new Dictionary<string, string>(_annotations, StringComparer.Ordinal);
        if (_cost.Count > 0)
        {
            annotations[HandoffApi.CostAnnotation] = JsonSerializer.Serialize(_cost);
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = _name,
                NamespaceProperty = _namespace,
                Uid = $"uid-pod-{_namespace}-{_name}",
                CreationTimestamp = _created.UtcDateTime,
                DeletionTimestamp = _deleting?.UtcDateTime,
                Labels = new Dictionary<string, string>(_labels, StringComparer.Ordinal),
                Annotations = annotations,
                OwnerReferences = _ownerUid is null
                    ? null
                    :
                    [
                        new V1OwnerReference
                        {
                            ApiVersion = HandoffApi.ApiVersion,
                            Kind = HandoffApi.FunctionKind,
                            Name = _function,
                            Uid = _ownerUid,
                            Controller = true,
                            BlockOwnerDeletion = true,
                        },
                    ],
            },
            Spec = new V1PodSpec
            {
                NodeName = _nodeName,
                SchedulerName = HandoffApi.DefaultSchedulerName,
                RestartPolicy = "Never",
                Containers = [new V1Container { Name = "main", Image = "busybox:1.36" }],
            },
            Status = new V1PodStatus
            {
                Phase = _phase,
                Reason = _reason,
                Message = _message,
                ContainerStatuses = terminated is null && !_running
                    ? null
                    :
                    [
                        new V1ContainerStatus
                        {
                            Name = "main",
                            Image = "busybox:1.36",
                            ImageID = "",
                            Ready = _running,
                            RestartCount = 0,
                            State = terminated is not null
                                ? new V1ContainerState { Terminated = terminated }
                                : new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = _created.UtcDateTime } },
                        },
                    ],
            },
        };
    }

    private FunctionPodBuilder Terminated(string phase, int exitCode, string reason, string? message, DateTimeOffset? finishedAt)
    {
        _phase = phase;
        _running = false;
        _terminated = (exitCode, reason, message, finishedAt);
        return this;
    }
}
