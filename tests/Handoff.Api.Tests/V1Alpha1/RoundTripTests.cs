using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Handoff.Api.Tests.V1Alpha1;

/// <summary>HandoffFunction YAML → KubernetesYaml → C# object → YAML keeps every field.</summary>
public sealed class RoundTripTests
{
    private const string FunctionYaml = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffFunction
        metadata:
          name: transform
          namespace: default
          labels:
            app: demo
        spec:
          cost:
            cpu: "2"
            memory: "4000"
            nvidia.com/gpu: "1"
          args: [source]
          extraArgs: ["2"]
          strategy: LoadBalanced
          nodeSelector:
            zone: a
          node: gpu-1
          collocateWith: source
          maxRetries: 5
          template:
            metadata:
              labels:
                team: x
            spec:
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "echo $((HANDOFF_ARG_0 * HANDOFF_ARG_1)) > /dev/termination-log"]
                resources:
                  limits:
                    cpu: 500m
        status:
          phase: Succeeded
          node: gpu-1
          podName: transform-1
          attempts: 1
          result: "84"
          startTime: "2026-01-02T03:04:05Z"
          completionTime: "2026-01-02T03:04:09Z"
          conditions:
          - type: Completed
            status: "True"
            reason: Succeeded
            lastTransitionTime: "2026-01-02T03:04:09Z"
          observedGeneration: 1
        """;

    [Fact]
    public void HandoffFunction_survives_yaml_round_trip()
    {
        var first = KubernetesYaml.Deserialize<HandoffFunction>(FunctionYaml, strict: true);

        Assert.Equal("transform", first.Metadata.Name);
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "2", ["memory"] = "4000", ["nvidia.com/gpu"] = "1" }, first.Spec.Cost);
        Assert.Equal(["source"], first.Spec.Args!);
        Assert.Equal(["2"], first.Spec.ExtraArgs!);
        Assert.Equal(nameof(AllocationStrategy.LoadBalanced), first.Spec.Strategy);
        Assert.Equal("a", first.Spec.NodeSelector!["zone"]);
        Assert.Equal("gpu-1", first.Spec.Node);
        Assert.Equal("source", first.Spec.CollocateWith);
        Assert.Equal(5, first.Spec.MaxRetries);
        var container = Assert.Single(first.Spec.Template.Spec.Containers);
        Assert.Equal("busybox", container.Image);
        Assert.Equal(new ResourceQuantity("500m"), container.Resources.Limits["cpu"]);
        Assert.Equal("x", first.Spec.Template.Metadata.Labels["team"]);
        Assert.Equal(FunctionPhases.Succeeded, first.Status.Phase);
        Assert.Equal("84", first.Status.Result);
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), first.Status.StartTime!.Value.ToUniversalTime());
        Assert.Equal(ConditionTypes.Completed, Assert.Single(first.Status.Conditions!).Type);

        var yaml = KubernetesYaml.Serialize(first);
        var second = KubernetesYaml.Deserialize<HandoffFunction>(yaml, strict: true);

        Assert.Equal(KubernetesJson.Serialize(first), KubernetesJson.Serialize(second));
        Assert.Equal(yaml, KubernetesYaml.Serialize(second));
    }

    [Fact]
    public void Strict_yaml_rejects_a_misspelled_field()
    {
        var misspelled = FunctionYaml.Replace("maxRetries: 5", "maxRetrys: 5", StringComparison.Ordinal);
        var error = Assert.ThrowsAny<Exception>(() => KubernetesYaml.Deserialize<HandoffFunction>(misspelled, strict: true));
        Assert.Contains("maxRetrys", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HandoffNode_survives_yaml_round_trip()
    {
        const string yaml = """
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffNode
            metadata:
              name: gpu-1
            spec:
              nodeName: k3s-agent-1
              capacity: {cpu: "8", memory: "16000", nvidia.com/gpu: "2", specialized_hardware: "1"}
              unschedulable: true
            """;
        var node = KubernetesYaml.Deserialize<HandoffNode>(yaml, strict: true);
        Assert.Equal("k3s-agent-1", node.Spec.NodeName);
        Assert.Equal(4, node.Spec.Capacity.Count);
        Assert.True(node.Spec.Unschedulable);
        var again = KubernetesYaml.Deserialize<HandoffNode>(KubernetesYaml.Serialize(node), strict: true);
        Assert.Equal(KubernetesJson.Serialize(node), KubernetesJson.Serialize(again));
    }
}
