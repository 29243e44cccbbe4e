using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using Handoff.Operator.Reconciliation;
using Handoff.Testing.Builders;
using k8s.Models;

namespace Handoff.Operator.Tests.Support;

/// <summary>
/// Builds the <see cref="ClusterSnapshot"/> a pass starts from, in the order <see cref="ClusterSnapshot.Take"/> gives
/// (HandoffNodes by name, functions by namespace/name), at <see cref="Now"/> unless told otherwise.
/// </summary>
public sealed class SnapshotBuilder
{
    /// <summary>The default clock reading of a pass: an hour after <see cref="TestObjects.Epoch"/>.</summary>
    public static DateTimeOffset Now { get; } = TestObjects.Epoch.AddHours(1);

    private readonly List<HandoffQueue> _queues = [];
    private readonly List<V1PriorityClass> _priorityClasses = [];
    private readonly List<HandoffNode> _handoffNodes = [];
    private readonly Dictionary<string, V1Node> _nodes = new(StringComparer.Ordinal);
    private readonly List<HandoffFunction> _functions = [];
    private readonly List<V1Pod> _pods = [];
    private DateTimeOffset _now = Now;

    public SnapshotBuilder At(DateTimeOffset now)
    {
        _now = now;
        return this;
    }

    /// <summary>A HandoffNode and, when <paramref name="node"/> is not given, a Ready Kubernetes Node it names.</summary>
    public SnapshotBuilder HandoffNode(HandoffNodeBuilder handoffNode, NodeBuilder? node = null)
    {
        var built = handoffNode.Build();
        _handoffNodes.Add(built);
        var k8sNode = (node ?? TestObjects.Node(HandoffMapper.KubernetesNodeName(built))).Build();
        _nodes[k8sNode.Metadata.Name] = k8sNode;
        return this;
    }

    /// <summary>A HandoffNode alone (its Kubernetes Node is added separately, or missing).</summary>
    public SnapshotBuilder HandoffNodeOnly(HandoffNodeBuilder handoffNode)
    {
        _handoffNodes.Add(handoffNode.Build());
        return this;
    }

    public SnapshotBuilder Node(NodeBuilder node)
    {
        var built = node.Build();
        _nodes[built.Metadata.Name] = built;
        return this;
    }

    public SnapshotBuilder Function(HandoffFunctionBuilder function) => Function(function.Build());

    public SnapshotBuilder Function(HandoffFunction function)
    {
        _functions.Add(function);
        return this;
    }

    public SnapshotBuilder Pod(FunctionPodBuilder pod) => Pod(pod.Build());

    public SnapshotBuilder Pod(V1Pod pod)
    {
        _pods.Add(pod);
        return this;
    }

    public SnapshotBuilder Queue(string name, HandoffQueueSpec spec)
    {
        _queues.Add(new HandoffQueue { Metadata = new V1ObjectMeta { Name = name, ResourceVersion = "1" }, Spec = spec });
        return this;
    }

    public SnapshotBuilder PriorityClass(string name, int value)
    {
        _priorityClasses.Add(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = name }, Value = value });
        return this;
    }

    public ClusterSnapshot Build() => new ClusterSnapshot(
        _now,
        [.. _handoffNodes.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)],
        new Dictionary<string, V1Node>(_nodes, StringComparer.Ordinal),
        [.. _functions.OrderBy(f => f.Metadata.NamespaceProperty + "/" + f.Metadata.Name, StringComparer.Ordinal)],
        [.. _pods.Select(CacheTransforms.Pod)])
    {
        Queues = [.. _queues],
        PriorityClasses = [.. _priorityClasses],
    };
}
