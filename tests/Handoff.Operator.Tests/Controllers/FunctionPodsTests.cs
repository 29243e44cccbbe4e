using System.Text;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using k8s.Models;

namespace Handoff.Operator.Tests.Controllers;

public sealed class FunctionPodsTests
{
    private static HandoffFunction Function() => new()
    {
        Metadata = new V1ObjectMeta { Name = "transform", NamespaceProperty = "ns", Uid = "uid-1" },
        Spec = new HandoffFunctionSpec
        {
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "x" } },
                Spec = new V1PodSpec
                {
                    NodeName = "sneaky",
                    SchedulerName = "default-scheduler",
                    RestartPolicy = "Always",
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "main",
                            Image = "busybox",
                            Env = [new V1EnvVar { Name = "KEEP", Value = "1" }, new V1EnvVar { Name = "HANDOFF_ARGS", Value = "stale" }],
                        },
                        new V1Container { Name = "side", Image = "busybox" },
                    ],
                },
            },
        },
    };

    [Fact]
    public void Pod_has_name_labels_owner_scheduler_restart_policy_env_and_no_node()
    {
        var f = Function();
        var pod = FunctionPods.Build(f, "transform-2", 2, "gpu-1", Core.Resources.ResourceList.Parse(new Dictionary<string, string> { ["cpu"] = "2" }), "handoff", ["42", "x y", "2"]);
        Assert.Equal("transform-2", pod.Metadata.Name);
        Assert.Equal("ns", pod.Metadata.NamespaceProperty);
        Assert.Equal("transform", pod.Metadata.Labels[HandoffApi.FunctionLabel]);
        Assert.Equal("2", pod.Metadata.Labels[HandoffApi.AttemptLabel]);
        Assert.Equal("x", pod.Metadata.Labels["app"]);
        Assert.Equal("gpu-1", pod.Metadata.Annotations[HandoffApi.HandoffNodeAnnotation]);
        Assert.Equal("{\"cpu\":\"2\"}", pod.Metadata.Annotations[HandoffApi.CostAnnotation]);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.True(owner.Controller);
        Assert.Equal(("HandoffFunction", "transform", "uid-1", "handoff.dev/v1alpha1"), (owner.Kind, owner.Name, owner.Uid, owner.ApiVersion));
        Assert.Null(pod.Spec.NodeName);
        Assert.Equal("handoff", pod.Spec.SchedulerName);
        Assert.Equal("Never", pod.Spec.RestartPolicy);
        foreach (var c in pod.Spec.Containers)
        {
            var env = c.Env.ToDictionary(e => e.Name, e => e.Value);
            Assert.Equal("transform", env["HANDOFF_FUNCTION"]);
            Assert.Equal(["42", "x y", "2"], JsonSerializer.Deserialize<string[]>(env["HANDOFF_ARGS"])!);
            Assert.Equal("42", env["HANDOFF_ARG_0"]);
            Assert.Equal("x y", env["HANDOFF_ARG_1"]);
            Assert.Equal("2", env["HANDOFF_ARG_2"]);
            Assert.Equal(1, c.Env.Count(e => e.Name == "HANDOFF_ARGS"));
        }

        Assert.Contains(pod.Spec.Containers[0].Env, e => e.Name == "KEEP");
        // The function's own template is not modified.
        Assert.Equal("sneaky", f.Spec.Template.Spec.NodeName);
    }

    [Fact]
    public void Result_is_the_first_containers_termination_message_cut_at_4096_bytes_on_a_character_boundary()
    {
        static V1Pod Terminated(string message) => new()
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main" }, new V1Container { Name = "side" }] },
            Status = new V1PodStatus
            {
                Phase = "Succeeded",
                ContainerStatuses =
                [
                    new V1ContainerStatus { Name = "side", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { Message = "nope" } } },
                    new V1ContainerStatus { Name = "main", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { Message = message, ExitCode = 0 } } },
                ],
            },
        };

        Assert.Equal("84", FunctionPods.Result(Terminated("84")));
        var big = new string('a', 4095) + "é" + "zzz";
        var cut = FunctionPods.Result(Terminated(big))!;
        Assert.True(Encoding.UTF8.GetByteCount(cut) <= 4096);
        Assert.Equal(new string('a', 4095), cut);
        Assert.Null(FunctionPods.Result(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" } }));
    }
}
