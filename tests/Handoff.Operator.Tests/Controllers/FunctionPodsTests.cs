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
    public void The_pod_claims_what_the_function_costs_in_its_first_container_and_never_a_Handoff_only_name()
    {
        var f = Function();
        f.Spec.Cost = new Dictionary<string, string> { ["cpu"] = "2", ["nvidia.com/gpu"] = "1", ["gpu"] = "1", ["memory"] = "1Gi" };
        f.Spec.Template.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("2Gi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1") },
        };
        var mapped = Api.Mapping.HandoffMapper.ToFunction(f);
        var pod = FunctionPods.Build(f, mapped, "transform-1", 1, "gpu-1", "handoff", []);
        var main = pod.Spec.Containers[0].Resources;

        // cpu raised to the cost (and its limit with it), memory kept (the template asks more), the GPU requested and
        // limited (the device plugin attaches it only then), "gpu" is Handoff's bookkeeping.
        Assert.Equal(("2", "2Gi", "1"), (main.Requests["cpu"].ToString(), main.Requests["memory"].ToString(), main.Requests["nvidia.com/gpu"].ToString()));
        Assert.Equal(("2", "1"), (main.Limits["cpu"].ToString(), main.Limits["nvidia.com/gpu"].ToString()));
        Assert.False(main.Requests.ContainsKey("gpu"));
        Assert.Null(pod.Spec.Containers[1].Resources);
        Assert.Equal(
            """{"cpu":"2","gpu":"1","memory":"2Gi","nvidia.com/gpu":"1"}""",
            pod.Metadata.Annotations[HandoffApi.CostAnnotation]);
        Assert.Equal(Core.Resources.ResourceList.Parse(new Dictionary<string, string> { ["cpu"] = "2", ["gpu"] = "1", ["memory"] = "2Gi", ["nvidia.com/gpu"] = "1" }), mapped.Placement.Cost);
    }

    [Fact]
    public void Pod_has_name_labels_owner_scheduler_restart_policy_env_and_no_node()
    {
        var f = Function();
        var pod = FunctionPods.Build(f, Api.Mapping.HandoffMapper.ToFunction(f), "transform-2", 2, "gpu-1", "handoff", ["42", "x y", "2"]);
        Assert.Equal("transform-2", pod.Metadata.Name);
        Assert.Equal("ns", pod.Metadata.NamespaceProperty);
        Assert.Equal("transform", pod.Metadata.Labels[HandoffApi.FunctionLabel]);
        Assert.Equal("2", pod.Metadata.Labels[HandoffApi.AttemptLabel]);
        Assert.Equal("x", pod.Metadata.Labels["app"]);
        Assert.Equal("gpu-1", pod.Metadata.Annotations[HandoffApi.HandoffNodeAnnotation]);
        Assert.Equal("{}", pod.Metadata.Annotations[HandoffApi.CostAnnotation]);
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
    public void Pods_built_from_one_kept_template_are_copies_of_it_each_their_own()
    {
        var f = Function();
        f.Spec.Template = CacheTransforms.Templates.Share(f.Spec.Template);
        Assert.True(CacheTransforms.Templates.IsKept(f.Spec.Template));
        var mapped = Api.Mapping.HandoffMapper.ToFunction(f);

        var first = FunctionPods.Build(f, mapped, "transform-1", 1, "gpu-1", "handoff", ["1"]);
        var second = FunctionPods.Build(f, mapped, "transform-2", 2, "gpu-1", "handoff", ["2"]);

        Assert.NotSame(first.Spec, second.Spec);
        Assert.NotSame(first.Spec.Containers[0], second.Spec.Containers[0]);
        Assert.Equal("1", first.Spec.Containers[0].Env.Single(e => e.Name == "HANDOFF_ARG_0").Value);
        Assert.Equal("2", second.Spec.Containers[0].Env.Single(e => e.Name == "HANDOFF_ARG_0").Value);
        Assert.Equal(("busybox", "sneaky", "Always"), (f.Spec.Template.Spec.Containers[0].Image, f.Spec.Template.Spec.NodeName, f.Spec.Template.Spec.RestartPolicy));
        Assert.Equal(["KEEP", "HANDOFF_ARGS"], f.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name));
    }

    [Fact]
    public void The_duration_and_the_sandbox_knobs_of_the_function_are_copied_to_its_pod_and_nothing_else()
    {
        var f = Function();
        f.Metadata.Annotations = new Dictionary<string, string>
        {
            [HandoffApi.DurationAnnotation] = "3s",
            [HandoffApi.SandboxExitCodeAnnotation] = "1",
            ["team"] = "ml",
        };
        var pod = FunctionPods.Build(f, Api.Mapping.HandoffMapper.ToFunction(f), "transform-1", 1, "gpu-1", "handoff", []);

        Assert.Equal("3s", pod.Metadata.Annotations[HandoffApi.DurationAnnotation]);
        Assert.Equal("1", pod.Metadata.Annotations[HandoffApi.SandboxExitCodeAnnotation]);
        Assert.False(pod.Metadata.Annotations.ContainsKey("team"));
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
