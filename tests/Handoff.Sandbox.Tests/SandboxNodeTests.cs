namespace Handoff.Sandbox.Tests;

/// <summary>The nodes file: its fields, and clear errors for bad files.</summary>
public sealed class SandboxNodeTests
{
    [Fact]
    public void Nodes_load_from_YAML_and_bad_files_are_clear_errors()
    {
        var nodes = SandboxNode.ParseYaml("""
            nodes:
            - name: a
              labels: {zone: x}
              allocatable: {cpu: "4", nvidia.com/gpu: "1", specialized_hardware: "2"}
            - name: b
              ready: false
              unschedulable: true
            """);
        Assert.Equal(["a", "b"], nodes.Select(n => n.Name));
        Assert.Equal("2", nodes[0].Allocatable["specialized_hardware"]);
        Assert.False(nodes[1].Ready);
        Assert.True(nodes[1].Unschedulable);

        Assert.Contains("unknown field \"cpu\"", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [{name: a, cpu: 2}]")).Message, StringComparison.Ordinal);
        Assert.Contains("nodes[0].name: required", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [{labels: {}}]")).Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [a: b: c")).Message, StringComparison.Ordinal);
        Assert.Contains("cannot read nodes file", Assert.Throws<FormatException>(() => SandboxNode.LoadFile("/nonexistent/nodes.yaml")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_register_with_the_taints_of_the_nodes_file()
    {
        var nodes = SandboxNode.ParseYaml("""
            nodes:
            - name: gpu-a
              taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}, {key: maintenance, effect: NoExecute}]
            """);
        Assert.Equal([new SandboxTaint("nvidia.com/gpu", "true", "NoSchedule"), new SandboxTaint("maintenance", null, "NoExecute")], nodes[0].Taints);
        Assert.Contains("nodes[0].taints[0].effect: must be NoSchedule, PreferNoSchedule or NoExecute, got \"Sometimes\"",
            Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [{name: a, taints: [{key: k, effect: Sometimes}]}]")).Message, StringComparison.Ordinal);
        Assert.Contains("nodes[0].taints[0].key: required", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("nodes: [{name: a, taints: [{effect: NoSchedule}]}]")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_Node_manifests_are_a_nodes_file_too()
    {
        var nodes = SandboxNode.ParseYaml("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Node
              metadata: {name: gpu-1, labels: {pool: gpu}}
              spec:
                unschedulable: true
                taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule, timeAdded: "2026-01-01T00:00:00Z"}]
              status:
                allocatable: {cpu: "16", nvidia.com/gpu: "2"}
                capacity: {cpu: "17"}
                conditions: [{type: Ready, status: "False"}]
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: cpu-1}
            """);
        Assert.Equal(["gpu-1", "cpu-1"], nodes.Select(n => n.Name));
        Assert.Equal(("16", "2", "gpu"), (nodes[0].Allocatable["cpu"], nodes[0].Allocatable["nvidia.com/gpu"], nodes[0].Labels["pool"]));
        Assert.Equal([new SandboxTaint("nvidia.com/gpu", "present", "NoSchedule")], nodes[0].Taints);
        Assert.Equal((false, true), (nodes[0].Ready, nodes[0].Unschedulable));
        Assert.Equal((true, 0), (nodes[1].Ready, nodes[1].Allocatable.Count));
        Assert.Contains("Pod p: expected a Node", Assert.Throws<FormatException>(() => SandboxNode.ParseYaml("apiVersion: v1\nkind: List\nitems: [{kind: Pod, metadata: {name: p}}]")).Message, StringComparison.Ordinal);
    }
}
