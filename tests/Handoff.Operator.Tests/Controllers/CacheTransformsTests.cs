using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using k8s.Models;

namespace Handoff.Operator.Tests.Controllers;

public sealed class CacheTransformsTests
{
    private static readonly DateTime Started = new(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc);

    private static V1ObjectMeta Metadata(string name) => new()
    {
        Name = name,
        NamespaceProperty = "ns",
        Uid = "uid-" + name,
        ResourceVersion = "42",
        Labels = new Dictionary<string, string> { [HandoffApi.FunctionLabel] = "f" },
        Annotations = new Dictionary<string, string>
        {
            [CacheTransforms.LastAppliedAnnotation] = "{\"a\":\"huge\"}",
            ["handoff.dev/node"] = "hn-1",
        },
        ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Update" }],
        OwnerReferences = [new V1OwnerReference { Kind = HandoffApi.FunctionKind, Name = "f", Uid = "uid-f", Controller = true }],
    };

    [Fact]
    public void A_pod_keeps_what_the_reconciler_reads_and_drops_the_rest()
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = Metadata("f-1"),
            Spec = new V1PodSpec
            {
                NodeName = "node-1",
                SchedulerName = "handoff",
                Containers =
                [
                    new V1Container { Name = "main", Image = "busybox", Env = [new V1EnvVar { Name = "HANDOFF_ARGS", Value = "[\"big\"]" }] },
                    new V1Container { Name = "side", Image = "busybox" },
                ],
                Volumes = [new V1Volume { Name = "v" }],
            },
            Status = new V1PodStatus
            {
                Phase = "Failed",
                Message = "evicted",
                Reason = "Evicted",
                StartTime = Started,
                PodIP = "10.0.0.1",
                Conditions = [new V1PodCondition { Type = "Ready", Status = "False" }],
                // Not in spec order: the first container's status must still be the one read.
                ContainerStatuses =
                [
                    new V1ContainerStatus { Name = "side", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Message = "side" } } },
                    new V1ContainerStatus
                    {
                        Name = "main",
                        Image = "busybox",
                        State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 3, Reason = "Error", Message = "42", FinishedAt = Started.AddSeconds(5) } },
                    },
                ],
            },
        };
        var before = (FunctionPods.ToAttemptPod(pod, null), FunctionPods.StartedAt(pod));

        var kept = CacheTransforms.Pod(pod);

        // Everything the reconciler derives from a pod is the same before and after.
        Assert.Equal(before, (FunctionPods.ToAttemptPod(kept, null), FunctionPods.StartedAt(kept)));
        Assert.Equal(("ns", "f-1", "uid-f", "handoff"), (kept.Metadata.NamespaceProperty, kept.Metadata.Name, kept.Metadata.OwnerReferences.Single().Uid, kept.Spec.SchedulerName));
        Assert.Equal("hn-1", kept.Metadata.Annotations["handoff.dev/node"]);
        Assert.Equal("f", kept.Metadata.Labels[HandoffApi.FunctionLabel]);
        // And the rest is gone.
        Assert.Null(kept.Metadata.ManagedFields);
        Assert.False(kept.Metadata.Annotations.ContainsKey(CacheTransforms.LastAppliedAnnotation));
        Assert.Equal("42", FunctionPods.Result(kept));
        Assert.All(kept.Spec.Containers, c => Assert.Equal((null, null, null), (c.Image, c.Env, c.Command)));
        Assert.Null(kept.Spec.Volumes);
        Assert.DoesNotContain(kept.Status.Conditions ?? [], c => c.Type != "PodScheduled");
        Assert.Null(kept.Status.PodIP);
        Assert.Equal(["main", "side"], kept.Status.ContainerStatuses.Select(c => c.Name));
        Assert.Null(kept.Status.ContainerStatuses[0].Image);
    }

    [Fact]
    public void Strings_repeated_across_objects_are_shared_not_copied()
    {
        // As from two separate watch events: equal strings, distinct instances.
        static HandoffFunction Deserialized(string name) => k8s.KubernetesJson.Deserialize<HandoffFunction>(
            "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"team-a\",\"labels\":{\"app\":\"etl\"}}," +
            "\"spec\":{\"cost\":{\"cpu\":\"1\"},\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox:1.36\"}]}}}," +
            "\"status\":{\"phase\":\"Scheduled\",\"node\":\"node-1\",\"conditions\":[{\"type\":\"Scheduled\",\"status\":\"True\",\"reason\":\"Scheduled\"}]}}");
        var (a, b) = (Deserialized("a"), Deserialized("b"));
        Assert.NotSame(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);

        var (x, y) = (CacheTransforms.Function(a), CacheTransforms.Function(b));

        Assert.Same(x.Metadata.NamespaceProperty, y.Metadata.NamespaceProperty);
        Assert.Same(x.Metadata.Labels["app"], y.Metadata.Labels["app"]);
        Assert.Same(x.Spec.Cost!["cpu"], y.Spec.Cost!["cpu"]);
        Assert.Same(x.Spec.Template.Spec.Containers[0].Image, y.Spec.Template.Spec.Containers[0].Image);
        Assert.Same(x.Status.Node, y.Status.Node);
        Assert.Same(x.Status.Conditions![0].Reason, y.Status.Conditions![0].Reason);
        Assert.Equal(("a", "team-a", "busybox:1.36", "Scheduled"), (x.Metadata.Name, x.Metadata.NamespaceProperty, x.Spec.Template.Spec.Containers[0].Image, x.Status.Phase));
    }

    [Fact]
    public void A_pod_without_status_or_containers_is_kept_as_it_is()
    {
        var kept = CacheTransforms.Pod(new V1Pod { Metadata = new V1ObjectMeta { Name = "bare", NamespaceProperty = "ns" } });
        Assert.Null(kept.Status);
        Assert.All(kept.Spec.Containers, c => Assert.Equal((null, null, null), (c.Image, c.Env, c.Command)));
        Assert.False(FunctionPods.IsBound(kept));
    }

    [Fact]
    public void A_node_keeps_its_name_labels_readiness_cordon_taints_and_allocatable_only()
    {
        var node = new V1Node
        {
            Metadata = Metadata("node-1"),
            Spec = new V1NodeSpec { Unschedulable = true, PodCIDR = "10.0.0.0/24", Taints = [new V1Taint { Key = "gpu", Value = "true", Effect = "NoSchedule" }] },
            Status = new V1NodeStatus
            {
                Conditions =
                [
                    new V1NodeCondition { Type = "MemoryPressure", Status = "False" },
                    new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady" },
                ],
                Images = [new V1ContainerImage { Names = ["busybox"] }],
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("8") },
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("7500m") },
            },
        };

        var kept = CacheTransforms.Node(node);

        Assert.Equal("node-1", kept.Metadata.Name);
        Assert.Equal("42", kept.Metadata.ResourceVersion);
        Assert.True(kept.Spec.Unschedulable);
        Assert.Null(kept.Spec.PodCIDR);
        Assert.Equal([("Ready", "True")], kept.Status.Conditions.Select(c => (c.Type, c.Status)));
        Assert.Null(kept.Status.Images);
        Assert.Null(kept.Status.Capacity);
        Assert.Equal("7500m", kept.Status.Allocatable["cpu"].ToString());
        Assert.Equal("gpu", Assert.Single(kept.Spec.Taints).Key);
        Assert.Equal(node.Metadata.Labels, kept.Metadata.Labels);
        Assert.Null(kept.Metadata.Annotations);
        Assert.Null(kept.Metadata.ManagedFields);
    }

    [Fact]
    public void Functions_and_HandoffNodes_lose_managed_fields_and_the_last_applied_annotation_only()
    {
        var function = new HandoffFunction
        {
            Metadata = Metadata("f"),
            Spec = new HandoffFunctionSpec { Cost = new Dictionary<string, string> { ["cpu"] = "1" }, Template = new V1PodTemplateSpec() },
        };
        var kept = CacheTransforms.Function(function);
        Assert.Same(function, kept);
        Assert.Null(kept.Metadata.ManagedFields);
        Assert.Equal(["handoff.dev/node"], kept.Metadata.Annotations.Keys);
        Assert.NotNull(kept.Spec.Template);

        var node = new HandoffNode { Metadata = new V1ObjectMeta { Name = "hn", Annotations = new Dictionary<string, string> { [CacheTransforms.LastAppliedAnnotation] = "{}" } } };
        Assert.Null(CacheTransforms.HandoffNode(node).Metadata.Annotations);
    }
}
