using Handoff.Api.V1Alpha1;
using k8s.Models;

namespace Handoff.Testing.Builders;

/// <summary>Builds a <see cref="HandoffNode"/>; see <see cref="TestObjects"/>.</summary>
public sealed class HandoffNodeBuilder(string name)
{
    private readonly Dictionary<string, string> _capacity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private string? _nodeName;
    private bool _unschedulable;
    private string? _capacityFrom;
    private string? _ownerNode;
    private DateTimeOffset _created = TestObjects.Epoch;
    private long _generation = 1;

    /// <summary>Adds (or replaces) one capacity entry, e.g. <c>Capacity("cpu", "8")</c>.</summary>
    public HandoffNodeBuilder Capacity(string resource, string quantity)
    {
        _capacity[resource] = quantity;
        return this;
    }

    /// <summary>The Kubernetes Node its functions are bound to (<c>spec.nodeName</c>; default its own name).</summary>
    public HandoffNodeBuilder NodeName(string nodeName)
    {
        _nodeName = nodeName;
        return this;
    }

    public HandoffNodeBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    /// <summary><c>spec.capacityFrom: Node</c>: the Node's allocatable, <c>spec.capacity</c> entries added or replacing.</summary>
    public HandoffNodeBuilder CapacityFromNode()
    {
        _capacityFrom = CapacitySources.Node;
        return this;
    }

    /// <summary>Made by node discovery: <c>capacityFrom: Node</c>, owned by the Node (uid as <see cref="NodeBuilder"/> gives it).</summary>
    public HandoffNodeBuilder DiscoveredFrom(string node)
    {
        _ownerNode = node;
        return CapacityFromNode();
    }

    /// <summary><c>spec.unschedulable: true</c>.</summary>
    public HandoffNodeBuilder Cordoned(bool cordoned = true)
    {
        _unschedulable = cordoned;
        return this;
    }

    public HandoffNodeBuilder CreatedAt(DateTimeOffset created)
    {
        _created = created;
        return this;
    }

    public HandoffNodeBuilder Generation(long generation)
    {
        _generation = generation;
        return this;
    }

    /// <summary>The node as read from a cache: uid, creationTimestamp and generation set.</summary>
    public HandoffNode Build()
    {
        var node = BuildForCreate();
        node.Metadata.Uid = "uid-node-" + name;
        node.Metadata.CreationTimestamp = _created.UtcDateTime;
        node.Metadata.Generation = _generation;
        return node;
    }

    /// <summary>The node as a client sends it to be created.</summary>
    public HandoffNode BuildForCreate() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = _labels.Count == 0 ? null : new Dictionary<string, string>(_labels, StringComparer.Ordinal),
            OwnerReferences = _ownerNode is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = _ownerNode, Uid = NodeBuilder.UidOf(_ownerNode) }],
        },
        Spec = new HandoffNodeSpec
        {
            NodeName = _nodeName,
            Capacity = new Dictionary<string, string>(_capacity, StringComparer.Ordinal),
            Unschedulable = _unschedulable,
            CapacityFrom = _capacityFrom,
        },
    };
}
