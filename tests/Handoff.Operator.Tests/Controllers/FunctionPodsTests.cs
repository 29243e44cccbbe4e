using System.Text;
using System.Text.Json;
using Handoff.Core.Lifecycle;
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

    [Fact]
    public void Retry_backoff_is_10s_doubling_capped_at_5_minutes()
    {
        var initial = TimeSpan.FromSeconds(10);
        var max = TimeSpan.FromMinutes(5);
        var retry = new RetryPolicy(3) { InitialBackoff = initial, MaxBackoff = max };
        Assert.Equal(TimeSpan.FromSeconds(10), retry.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(20), retry.Backoff(2));
        Assert.Equal(TimeSpan.FromSeconds(160), retry.Backoff(5));
        Assert.Equal(TimeSpan.FromMinutes(5), retry.Backoff(6));
        Assert.Equal(TimeSpan.FromMinutes(5), retry.Backoff(1000));
    }

    [Fact]
    public void Conditions_keep_lastTransitionTime_unless_their_status_changes()
    {
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var t1 = t0.AddMinutes(5);
        var current = new List<HandoffCondition>
        {
            new() { Type = "Scheduled", Status = "False", Reason = "FailedScheduling", Message = "a", LastTransitionTime = t0 },
            new() { Type = "Completed", Status = "False", Reason = "Pending", LastTransitionTime = t0 },
        };
        var merged = StatusPatches.MergeConditions(current,
        [
            new HandoffCondition { Type = "Scheduled", Status = "False", Reason = "FailedScheduling", Message = "b" },
            new HandoffCondition { Type = "Completed", Status = "True", Reason = "Succeeded" },
        ], t1, 3);
        Assert.Equal(t0, merged[0].LastTransitionTime);
        Assert.Equal("b", merged[0].Message);
        Assert.Equal(t1, merged[1].LastTransitionTime);
        Assert.All(merged, c => Assert.Equal(3, c.ObservedGeneration));
    }

    [Fact]
    public void Merge_patch_sends_only_changes_and_null_for_removed_fields_and_map_keys()
    {
        var current = new HandoffNodeStatus
        {
            Allocated = new Dictionary<string, string> { ["cpu"] = "2", ["nvidia.com/gpu"] = "1" },
            Available = new Dictionary<string, string> { ["cpu"] = "6", ["specialized_hardware"] = "1" },
            Functions = 1,
        };
        var desired = new HandoffNodeStatus
        {
            Allocated = new Dictionary<string, string> { ["cpu"] = "2" },
            Available = new Dictionary<string, string> { ["cpu"] = "6" },
            Functions = 0,
        };
        var patch = MergePatches.Diff(StatusPatches.ToJson(current), StatusPatches.ToJson(desired))!;
        using var doc = JsonDocument.Parse(MergePatches.StatusPatch(patch, "42"));
        var status = doc.RootElement.GetProperty("status");
        Assert.Equal(JsonValueKind.Null, status.GetProperty("allocated").GetProperty("nvidia.com/gpu").ValueKind);
        Assert.False(status.GetProperty("allocated").TryGetProperty("cpu", out _));
        Assert.Equal(JsonValueKind.Null, status.GetProperty("available").GetProperty("specialized_hardware").ValueKind);
        Assert.Equal(0, status.GetProperty("functions").GetInt32());
        Assert.Equal("42", doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        Assert.Null(MergePatches.Diff(StatusPatches.ToJson(desired), StatusPatches.ToJson(desired)));
    }
}
