using Handoff.Api.Manifests;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Testing;
using k8s.Models;

namespace Handoff.Api.Tests.Mapping;

public sealed class MappingTests
{
    private static HandoffNode Node(string name, Dictionary<string, string> capacity) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new HandoffNodeSpec { Capacity = capacity } };

    private static HandoffFunction Function(string name, string? ns = null, HandoffFunctionSpec? spec = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = spec ?? new HandoffFunctionSpec() };

    [Fact]
    public void Node_maps_capacity_labels_cordon_and_readiness()
    {
        var node = Node("gpu-1", new() { ["cpu"] = "8", ["nvidia.com/gpu"] = "2" });
        node.Metadata.Labels = new Dictionary<string, string> { ["zone"] = "a" };
        node.Spec.Unschedulable = true;
        var info = HandoffMapper.ToNodeInfo(node, ready: false);
        Assert.Equal("gpu-1", info.Name);
        Assert.Equal(ResourceList.Of(("cpu", "8"), ("nvidia.com/gpu", "2")), info.Capacity);
        Assert.Equal("a", info.Labels["zone"]);
        Assert.True(info.Unschedulable);
        Assert.False(info.Ready);
        Assert.Equal("gpu-1", HandoffMapper.KubernetesNodeName(node));
        node.Spec.NodeName = "k3s-agent-1";
        Assert.Equal("k3s-agent-1", HandoffMapper.KubernetesNodeName(node));
    }

    [Fact]
    public void Labels_are_read_as_they_are_not_copied_and_none_are_an_empty_map()
    {
        var node = Node("n", new() { ["cpu"] = "1" });
        var labels = new Dictionary<string, string> { ["zone"] = "a" };
        node.Metadata.Labels = labels;
        var kubernetesNode = new V1Node { Metadata = new V1ObjectMeta { Name = "k", Labels = labels } };

        var info = HandoffMapper.ToNodeInfo(node, kubernetesNode);

        Assert.Same(labels, info.Labels);
        Assert.Same(labels, info.KubernetesNode!.Labels);
        node.Metadata.Labels = null;
        Assert.Empty(HandoffMapper.ToNodeInfo(node).Labels);
        Assert.Empty(KubernetesMapper.LabeledNodeOf(new V1Node { Metadata = new V1ObjectMeta { Name = "k" } }).Labels);
    }

    [Fact]
    public void Function_maps_ids_args_constraints_and_defaults()
    {
        var f = HandoffMapper.ToFunction(Function("transform", spec: new HandoffFunctionSpec
        {
            Cost = new Dictionary<string, string> { ["cpu"] = "500m" },
            Args = ["source", "other"],
            ExtraArgs = ["2"],
            NodeSelector = new Dictionary<string, string> { ["zone"] = "a" },
            Node = "gpu-1",
            CollocateWith = "source",
        }), AllocationStrategy.BestFit);
        Assert.Equal(("default", "transform", "default/transform"), (f.Namespace, f.Name, f.Id));
        Assert.Equal(["default/source", "default/other"], f.Args);
        Assert.Equal(["2"], f.ExtraArgs);
        Assert.Equal(3, f.MaxRetries);
        Assert.Equal(AllocationStrategy.BestFit, f.Strategy);
        Assert.Null(f.ExplicitStrategy);
        Assert.Equal(500, f.Placement.Cost["cpu"]);
        Assert.Equal("gpu-1", f.Placement.Node);
        Assert.Equal("default/source", f.Placement.CollocateWith);
        Assert.Equal("a", f.Placement.NodeSelector!["zone"]);

        var explicitStrategy = HandoffMapper.ToFunction(Function("x", "team", new HandoffFunctionSpec { Strategy = "LoadBalanced", MaxRetries = 0 }));
        Assert.Equal(AllocationStrategy.LoadBalanced, explicitStrategy.ExplicitStrategy);
        Assert.Equal("team/x", explicitStrategy.Id);
        Assert.Equal(0, explicitStrategy.MaxRetries);
        Assert.True(explicitStrategy.Placement.Cost.IsZero);

        // Functions without args (most of a fan-out) hold no list of their own.
        Assert.Empty(explicitStrategy.Args);
        Assert.Same(explicitStrategy.Args, HandoffMapper.ToFunction(Function("y")).Args);
        Assert.Same(explicitStrategy.ExtraArgs, HandoffMapper.ToFunction(Function("y")).ExtraArgs);
    }

    [Theory]
    [InlineData("abc", "HandoffFunction default/transform: spec.cost[cpu]: invalid quantity \"abc\"")]
    [InlineData("-1", "HandoffFunction default/transform: spec.cost[cpu]: quantity \"-1\" must not be negative")]
    [InlineData("1n", "HandoffFunction default/transform: spec.cost[cpu]: quantity \"1n\" is finer than 1m")]
    public void Function_errors_name_object_and_field(string quantity, string expected)
    {
        var e = Assert.Throws<ManifestValidationException>(() =>
            HandoffMapper.ToFunction(Function("transform", spec: new HandoffFunctionSpec { Cost = new Dictionary<string, string> { ["cpu"] = quantity } })));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal("HandoffFunction default/transform", e.ObjectReference);
        Assert.Equal("spec.cost[cpu]", e.Field);
    }

    [Fact]
    public void Node_errors_name_object_and_field()
    {
        Assert.Equal("HandoffNode n: spec.capacity: Required value: at least one resource (or capacityFrom: Node)",
            Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToNodeInfo(Node("n", []))).Message);
        Assert.Equal("HandoffNode <unnamed>: metadata.name: Required value",
            Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToNodeInfo(Node("", new() { ["cpu"] = "1" }))).Message);
        Assert.StartsWith("HandoffNode Big: metadata.name: Invalid value: \"Big\"",
            Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToNodeInfo(Node("Big", new() { ["cpu"] = "1" }))).Message, StringComparison.Ordinal);
        Assert.StartsWith("HandoffNode n: spec.capacity[a/b/c]: invalid resource name",
            Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToNodeInfo(Node("n", new() { ["a/b/c"] = "1" }))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_reader_loads_the_examples()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Examples, "dag", "dag.yaml"));
        var objects = ManifestReader.ReadTyped(text, "dag.yaml").Select(d => d.Object).ToList();
        Assert.Equal(2, objects.OfType<HandoffNode>().Count());
        Assert.Equal(["dag-source", "dag-double", "dag-increment", "dag-sum"], objects.OfType<HandoffFunction>().Select(f => f.Metadata.Name));
        var sum = objects.OfType<HandoffFunction>().Last();
        Assert.Equal("dag-source", sum.Spec.CollocateWith);
        Assert.Equal("busybox:1.36", sum.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public void Loader_reports_documents_with_their_lines()
    {
        var docs = ManifestReader.ReadTyped(File.ReadAllText(Path.Combine(RepoPaths.Examples, "seed", "nodes.yaml")), "nodes.yaml");
        Assert.Equal([("seed-node-a", 4), ("seed-node-b", 16)], docs.Select(d => (d.Object.Metadata.Name, d.Location.Line)));
        Assert.Equal("nodes.yaml:16", docs[1].Location.ToString());
    }
}
