using k8s.Models;

namespace Handoff.Testing.Builders;

/// <summary>Builds a Kubernetes <see cref="V1Node"/> (Ready unless said otherwise); see <see cref="TestObjects"/>.</summary>
public sealed class NodeBuilder(string name)
{
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _allocatable = new(StringComparer.Ordinal);
    private readonly List<V1Taint> _taints = [];
    private string? _ready = "True";
    private string? _readyMessage;
    private bool _unschedulable;

    /// <summary>The Ready condition is False (the kubelet stopped posting, or reports a problem).</summary>
    public NodeBuilder NotReady(string? message = null)
    {
        _ready = "False";
        _readyMessage = message;
        return this;
    }

    /// <summary>The Ready condition is Unknown (the node controller lost contact).</summary>
    public NodeBuilder ReadyUnknown(string? message = null)
    {
        _ready = "Unknown";
        _readyMessage = message;
        return this;
    }

    /// <summary>No Ready condition at all (a Node just registered).</summary>
    public NodeBuilder WithoutReadyCondition()
    {
        _ready = null;
        return this;
    }

    /// <summary><c>spec.unschedulable: true</c>, as <c>kubectl cordon</c> sets it.</summary>
    public NodeBuilder Cordoned(bool cordoned = true)
    {
        _unschedulable = cordoned;
        return this;
    }

    public NodeBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    /// <summary>Adds a taint, e.g. <c>Taint("gpu", "true", "NoSchedule")</c>.</summary>
    public NodeBuilder Taint(string key, string? value, string effect)
    {
        _taints.Add(new V1Taint { Key = key, Value = value, Effect = effect });
        return this;
    }

    /// <summary>Sets one entry of <c>status.allocatable</c> (and of <c>status.capacity</c>).</summary>
    public NodeBuilder Allocatable(string resource, string quantity)
    {
        _allocatable[resource] = quantity;
        return this;
    }

    /// <summary>The uid a built Node of that name has.</summary>
    public static string UidOf(string name) => "uid-k8s-node-" + name;

    public V1Node Build() => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Uid = UidOf(name),
            CreationTimestamp = TestObjects.Epoch.UtcDateTime,
            Labels = _labels.Count == 0 ? null : new Dictionary<string, string>(_labels, StringComparer.Ordinal),
        },
        Spec = new V1NodeSpec
        {
            Unschedulable = _unschedulable ? true : null,
            Taints = _taints.Count == 0 ? null : [.. _taints],
        },
        Status = new V1NodeStatus
        {
            Conditions = _ready is null ? null : [new V1NodeCondition { Type = "Ready", Status = _ready, Message = _readyMessage }],
            Allocatable = _allocatable.Count == 0 ? null : _allocatable.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value), StringComparer.Ordinal),
            Capacity = _allocatable.Count == 0 ? null : _allocatable.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value), StringComparer.Ordinal),
        },
    };
}
