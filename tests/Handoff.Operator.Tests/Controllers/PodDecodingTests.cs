using System.Text.Json;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Tests.Controllers;

/// <summary>
/// How a pod is decoded for the cache (<see cref="CacheTransforms.PodJson"/>): what the cache drops is not read, and what
/// it keeps is what keeping the whole pod gives — for a function pod at each step of its life, a plain pod waiting for
/// Handoff with every scheduling field, and someone else's bound pod.
/// </summary>
public sealed class PodDecodingTests
{
    private static readonly DateTime Started = new(2026, 12, 1, 7, 2, 12, DateTimeKind.Utc);

    /// <summary>A function pod as the sandbox serves it once it has run (captured from <c>handoff sandbox</c> with examples/dag).</summary>
    private const string FinishedFunctionPod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"handoff.dev/cost":"{\"cpu\":\"1\"}","handoff.dev/node":"dag-worker-1","handoff.dev/sandbox-result":"64"},"creationTimestamp":"2026-12-01T07:02:12Z","labels":{"handoff.dev/attempt":"1","handoff.dev/function":"dag-sum"},"managedFields":[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:handoff.dev/attempt":{}}}},"manager":"handoff","operation":"Update","time":"2026-12-01T07:02:12Z"}],"name":"dag-sum-1","namespace":"default","ownerReferences":[{"apiVersion":"handoff.dev/v1alpha1","blockOwnerDeletion":true,"controller":true,"kind":"HandoffFunction","name":"dag-sum","uid":"1b13babb-8496-4c01-8670-29f1a0894824"}],"resourceVersion":"112","uid":"7b6e62c4-e5ca-4a72-a0c0-d30f96dacc98"},"spec":{"containers":[{"command":["sh","-c","echo $((HANDOFF_ARG_0 + HANDOFF_ARG_1 + HANDOFF_ARG_2)) > /dev/termination-log"],"env":[{"name":"HANDOFF_FUNCTION","value":"dag-sum"},{"name":"HANDOFF_ARGS","value":"[\"42\",\"22\",\"0\"]"},{"name":"HANDOFF_ARG_0","value":"42"},{"name":"HANDOFF_ARG_1","value":"22"},{"name":"HANDOFF_ARG_2","value":"0"}],"image":"busybox:1.36","imagePullPolicy":"IfNotPresent","name":"main","resources":{"requests":{"cpu":"1"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","enableServiceLinks":true,"nodeName":"dag-worker-1","preemptionPolicy":"PreemptLowerPriority","priority":0,"restartPolicy":"Never","schedulerName":"handoff","securityContext":{},"serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30},"status":{"conditions":[{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:02:12Z","status":"True","type":"PodScheduled"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:02:13Z","status":"False","type":"PodReadyToStartContainers"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:02:12Z","reason":"PodCompleted","status":"True","type":"Initialized"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:02:13Z","reason":"PodCompleted","status":"False","type":"Ready"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:02:13Z","reason":"PodCompleted","status":"False","type":"ContainersReady"}],"containerStatuses":[{"containerID":"sandbox://7b6e62c4-main","image":"busybox:1.36","imageID":"sandbox://busybox:1.36","lastState":{},"name":"main","ready":false,"restartCount":0,"started":false,"state":{"terminated":{"containerID":"sandbox://7b6e62c4-main","exitCode":0,"finishedAt":"2026-12-01T07:02:13Z","message":"64","reason":"Completed","startedAt":"2026-12-01T07:02:12Z"}}}],"hostIP":"10.0.0.16","hostIPs":[{"ip":"10.0.0.16"}],"phase":"Succeeded","podIP":"10.244.6.10","podIPs":[{"ip":"10.244.6.10"}],"qosClass":"Burstable","startTime":"2026-12-01T07:02:12Z"}}
        """;

    public static TheoryData<string, string> Pods() => new()
    {
        { "a function pod that ran", FinishedFunctionPod },
        { "a function pod just created", KubernetesJson.Serialize(Created()) },
        { "a function pod running", KubernetesJson.Serialize(Running()) },
        { "a function pod failed in its second container's order", KubernetesJson.Serialize(FailedOutOfOrder()) },
        { "a plain pod waiting for Handoff", KubernetesJson.Serialize(PlainWaiting()) },
        { "a plain pod Handoff bound", KubernetesJson.Serialize(PlainBound()) },
        { "someone else's bound pod", KubernetesJson.Serialize(External()) },
    };

    [Theory]
    [MemberData(nameof(Pods))]
    public void A_pod_decoded_for_the_cache_is_kept_as_the_whole_pod_is(string what, string json)
    {
        var whole = CacheTransforms.Pod(KubernetesJson.Deserialize<V1Pod>(json));

        var kept = CacheTransforms.Pod(JsonSerializer.Deserialize<V1Pod>(json, CacheTransforms.PodJson)!);

        Assert.True(Describe(whole) == Describe(kept), $"{what}:\n{Describe(whole)}\n{Describe(kept)}");
    }

    [Fact]
    public void What_the_cache_drops_is_not_read()
    {
        var read = JsonSerializer.Deserialize<V1Pod>(FinishedFunctionPod, CacheTransforms.PodJson)!;

        Assert.Null(read.Metadata.ManagedFields);
        var main = Assert.Single(read.Spec.Containers);
        Assert.Equal(("main", "1"), (main.Name, main.Resources.Requests["cpu"].ToString()));
        Assert.Equal((null, null, null, null), (main.Image, main.Env, main.Command, main.TerminationMessagePath));
        Assert.Equal((null, null, null), (read.Spec.ServiceAccountName, read.Spec.RestartPolicy, read.Spec.SecurityContext));
        Assert.Equal((null, null, null), (read.Status.PodIP, read.Status.HostIPs, read.Status.QosClass));
        var status = Assert.Single(read.Status.ContainerStatuses);
        Assert.Equal((null, null, null), (status.Image, status.ContainerID, status.Started));
        Assert.Equal("64", status.State.Terminated.Message);
        // Kept as they are: the annotations, labels and owner the record is made of.
        Assert.Equal("dag-worker-1", read.Metadata.Annotations[HandoffApi.HandoffNodeAnnotation]);
        Assert.Equal("1", read.Metadata.Labels[HandoffApi.AttemptLabel]);
        Assert.True(read.Metadata.OwnerReferences[0].Controller);
    }

    [Fact]
    public void A_plain_pods_priority_class_and_preemption_policy_are_kept_for_its_queue_traits()
    {
        var pod = PlainWaiting();

        var kept = CacheTransforms.Pod(JsonSerializer.Deserialize<V1Pod>(KubernetesJson.Serialize(pod), CacheTransforms.PodJson)!);

        // A pod that may not preempt must not be read as one that may (the trimmed pod once lost both fields).
        var traits = QueueMapper.TraitsOf(kept.Source!);
        Assert.Equal(QueueMapper.TraitsOf(pod), traits);
        Assert.Equal((false, "polite", 1000, "team-a"), (traits.MayPreempt, traits.PriorityClassName, traits.Priority, traits.Queue));
    }

    private static V1Pod FunctionPod(string name)
    {
        var pod = KubernetesJson.Deserialize<V1Pod>(FinishedFunctionPod);
        pod.Metadata.Name = name;
        pod.Metadata.Uid = "uid-" + name;
        pod.Status = null;
        return pod;
    }

    private static V1Pod Created()
    {
        var pod = FunctionPod("created-1");
        pod.Spec.NodeName = null;
        pod.Status = new V1PodStatus { Phase = "Pending" };
        return pod;
    }

    private static V1Pod Running()
    {
        var pod = FunctionPod("running-1");
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            StartTime = Started,
            Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = Started }],
            ContainerStatuses = [new V1ContainerStatus { Name = "main", Image = "busybox:1.36", ImageID = "i", Ready = true, RestartCount = 0, State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Started } } }],
        };
        return pod;
    }

    private static V1Pod FailedOutOfOrder()
    {
        var pod = FunctionPod("failed-1");
        pod.Spec.Containers.Add(new V1Container { Name = "side", Image = "busybox" });
        pod.Metadata.DeletionTimestamp = Started.AddSeconds(9);
        pod.Status = new V1PodStatus
        {
            Phase = "Failed",
            Reason = "Evicted",
            Message = "The node was low on resource: memory.",
            ContainerStatuses =
            [
                new V1ContainerStatus { Name = "side", Image = "busybox", ImageID = "i", Ready = false, RestartCount = 0, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Message = "side" } } },
                new V1ContainerStatus
                {
                    Name = "main", Image = "busybox", ImageID = "i", Ready = false, RestartCount = 1,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
                    LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled", FinishedAt = Started.AddSeconds(8) } },
                },
            ],
        };
        return pod;
    }

    private static V1Pod PlainWaiting() => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            Name = "plain",
            NamespaceProperty = "ns",
            Uid = "uid-plain",
            ResourceVersion = "7",
            CreationTimestamp = Started,
            Labels = new Dictionary<string, string> { ["app"] = "etl" },
            Annotations = new Dictionary<string, string> { [HandoffApi.QueueAnnotation] = "team-a", [CacheTransforms.LastAppliedAnnotation] = "{}" },
            ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Apply" }],
        },
        Spec = new V1PodSpec
        {
            SchedulerName = HandoffApi.DefaultSchedulerName,
            RestartPolicy = "Never",
            Priority = 1000,
            PriorityClassName = "polite",
            PreemptionPolicy = PreemptionPolicies.Never,
            NodeSelector = new Dictionary<string, string> { ["pool"] = "general" },
            Tolerations = [new V1Toleration { Key = "gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }],
            Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                    {
                        NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["a", "b"] }] }],
                    },
                    PreferredDuringSchedulingIgnoredDuringExecution = [new V1PreferredSchedulingTerm { Weight = 1, Preference = new V1NodeSelectorTerm() }],
                },
                PodAntiAffinity = new V1PodAntiAffinity(),
            },
            Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") },
            InitContainers = [new V1Container { Name = "sidecar", Image = "envoy", RestartPolicy = "Always", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m") } } }],
            Containers =
            [
                new V1Container
                {
                    Name = "main", Image = "busybox", Command = ["sleep", "1"], Env = [new V1EnvVar { Name = "X", Value = "y" }],
                    Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("1Gi") } },
                },
            ],
            Volumes = [new V1Volume { Name = "v" }],
        },
        Status = new V1PodStatus
        {
            Phase = "Pending",
            Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/3 nodes are available" }],
        },
    };

    private static V1Pod PlainBound()
    {
        var pod = PlainWaiting();
        pod.Metadata.Name = "plain-bound";
        pod.Metadata.Annotations[HandoffApi.HandoffNodeAnnotation] = "hn-1";
        pod.Metadata.Annotations[HandoffApi.CostAnnotation] = "{\"cpu\":\"2350m\",\"memory\":\"1Gi\"}";
        pod.Spec.NodeName = "node-1";
        pod.Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.9", StartTime = Started };
        return pod;
    }

    private static V1Pod External() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "other", Uid = "uid-web", ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubelet" }] },
        Spec = new V1PodSpec
        {
            NodeName = "node-1",
            SchedulerName = "default-scheduler",
            Containers = [new V1Container { Name = "main", Image = "nginx", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("1Gi") } } }],
        },
        Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.8" },
    };

    /// <summary>Everything a record is, as text: its fields, its attempt, what it holds, and its trimmed pod.</summary>
    private static string Describe(PodRecord r) => string.Join(
        "\n",
        KubernetesJson.Serialize(r.Metadata),
        $"{r.ApiVersion} {r.Kind} function={r.IsFunctionPod} owner={r.OwnerUid} scheduler={r.SchedulerName} node={r.NodeName} handoffNode={r.HandoffNode} phase={r.Phase}",
        r.Attempt?.ToString() ?? "no attempt",
        $"cost={r.Cost} requests={r.Requests}",
        r.Source is null ? "no source" : KubernetesJson.Serialize(r.Source));
}
