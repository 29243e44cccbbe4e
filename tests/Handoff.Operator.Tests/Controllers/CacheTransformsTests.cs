using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using System.Text.Json;
using k8s;
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
        var before = FunctionPods.ToAttemptPod(pod, null);

        var kept = CacheTransforms.Pod(pod);

        // Everything the reconciler derives from a function pod is worked out once, the same as from the pod.
        Assert.Equal(before, kept.Attempt);
        Assert.Equal("42", kept.Attempt!.Result);
        Assert.Equal(("ns", "f-1", "uid-f-1", "42"), (kept.Metadata.NamespaceProperty, kept.Metadata.Name, kept.Metadata.Uid, kept.Metadata.ResourceVersion));
        Assert.Equal(("uid-f", "handoff", "node-1", "hn-1", "Failed"), (kept.OwnerUid, kept.SchedulerName, kept.NodeName, kept.HandoffNode, kept.Phase));
        Assert.True(kept.IsFunctionPod);
        Assert.Equal(PodRole.FunctionPod, kept.RoleFor("handoff"));
        // And nothing else: no labels, annotations, spec or status kept, and not the pod itself.
        Assert.Null(kept.Source);
        Assert.Equal((null, null, null), (kept.Metadata.Labels, kept.Metadata.Annotations, kept.Metadata.ManagedFields));
        Assert.Null(kept.Cost);
        Assert.True(kept.Requests.IsZero);
    }

    [Fact]
    public void A_plain_pod_waiting_for_a_node_keeps_its_trimmed_pod_for_placing()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "plain",
                NamespaceProperty = "ns",
                Annotations = new Dictionary<string, string> { [CacheTransforms.LastAppliedAnnotation] = "{}" },
                ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl" }],
            },
            Spec = new V1PodSpec
            {
                SchedulerName = "handoff",
                Containers = [new V1Container { Name = "main", Image = "busybox", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m") } } }],
                Volumes = [new V1Volume { Name = "v" }],
                Tolerations = [new V1Toleration { Key = "gpu", OperatorProperty = "Exists" }],
            },
            Status = new V1PodStatus { Phase = "Pending", PodIP = "10.0.0.1", Conditions = [new V1PodCondition { Type = "Ready", Status = "False" }] },
        };

        var kept = CacheTransforms.Pod(pod);

        Assert.Equal(PodRole.WaitingForHandoff, kept.RoleFor("handoff"));
        Assert.Equal(PodRole.OtherScheduler, kept.RoleFor("someone-else"));
        Assert.Equal(500, kept.Requests["cpu"]);
        Assert.Null(kept.Attempt);
        var source = kept.Source!;
        Assert.Single(source.Spec.Tolerations);
        Assert.Null(source.Metadata.ManagedFields);
        Assert.False(source.Metadata.Annotations?.ContainsKey(CacheTransforms.LastAppliedAnnotation) ?? false);
        Assert.All(source.Spec.Containers, c => Assert.Equal((null, null, null), (c.Image, c.Env, c.Command)));
        Assert.Null(source.Spec.Volumes);
        Assert.Null(source.Status.PodIP);
        Assert.DoesNotContain(source.Status.Conditions ?? [], c => c.Type != "PodScheduled");
    }

    [Fact]
    public void Someone_elses_bound_pod_keeps_only_what_it_requests()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "other", Uid = "u" },
            Spec = new V1PodSpec
            {
                NodeName = "node-1",
                Containers = [new V1Container { Name = "main", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("1Gi") } } }],
            },
            Status = new V1PodStatus { Phase = "Running" },
        };

        var kept = CacheTransforms.Pod(pod);

        Assert.Equal(PodRole.External, kept.RoleFor("handoff"));
        Assert.Null(kept.Source);
        Assert.Null(kept.Attempt);
        var holding = kept.HoldingAs(PodRole.External)!;
        Assert.Equal((2000, 1024L * 1024 * 1024 * 1000, 1000), (holding["cpu"], holding["memory"], holding["pods"]));
        Assert.Same(holding, kept.HoldingAs(PodRole.External));
    }

    [Fact]
    public void A_binding_marks_a_function_pod_bound_and_leaves_the_cached_record_as_it_was()
    {
        var created = CacheTransforms.Pod(new V1Pod
        {
            Metadata = Metadata("f-1"),
            Spec = new V1PodSpec { SchedulerName = "handoff", Containers = [new V1Container { Name = "main" }] },
        });

        var bound = CacheTransforms.Bound(created, "node-1", null);

        Assert.Equal(("node-1", true), (bound.NodeName, bound.Attempt!.Bound));
        Assert.Equal((null, false), (created.NodeName, created.Attempt!.Bound));
    }

    [Fact]
    public void A_pods_new_version_in_the_cache_takes_its_key_name_uid_owner_and_attempt_name_from_the_one_it_replaces()
    {
        var cache = new ResourceCache<PodRecord>();
        PodRecord Version(string resourceVersion, string phase = "Pending", string uid = "uid-f-1", string owner = "uid-f")
        {
            // As decoded from another watch event: equal strings, other instances.
            var meta = Metadata(new string("f-1".AsSpan()));
            meta.ResourceVersion = resourceVersion;
            meta.Uid = new string(uid.AsSpan());
            meta.OwnerReferences[0].Uid = new string(owner.AsSpan());
            return CacheTransforms.Pod(new V1Pod { Metadata = meta, Spec = new V1PodSpec { SchedulerName = "handoff" }, Status = new V1PodStatus { Phase = phase } });
        }

        Assert.True(cache.Upsert(Version("42")));
        var first = cache.Get("ns/f-1")!;
        Assert.Same(first.Key, first.CacheKey);
        Assert.Same(first.Name, first.Attempt!.Name);
        Assert.True(cache.Upsert(Version("43", "Running")));

        var stored = cache.Get("ns/f-1")!;
        Assert.Equal(("43", PodPhase.Running), (stored.Metadata.ResourceVersion, stored.Attempt!.Phase));
        Assert.Same(first.Key, stored.Key);
        Assert.Same(first.OwnerUid, stored.OwnerUid);
        Assert.Same(first.Name, stored.Attempt.Name);
        Assert.Same(first.Name, stored.Name);
        Assert.Same(first.Uid, stored.Uid);
        Assert.Same(first.Key, Assert.Single(cache.ListOrderedByKey()).Key);
        Assert.Equal("ns/g-1", (stored with { Metadata = new V1ObjectMeta { Name = "g-1", NamespaceProperty = "ns" } }).Key);

        // The key the pass placed the pod under (its holder in the tracker) is taken when it is the pod's key.
        var placedUnder = new string("ns/f-2".AsSpan());
        var created = Version("60");
        created.ShareKey("ns/other");
        created.ShareKey(null);
        Assert.Equal("ns/f-1", created.Key);
        var placed = CacheTransforms.Pod(new V1Pod { Metadata = Metadata("f-2"), Spec = new V1PodSpec { SchedulerName = "handoff" } });
        placed.ShareKey(placedUnder);
        Assert.True(cache.Upsert(placed));
        Assert.Same(placedUnder, cache.Get("ns/f-2")!.Key);
        Assert.Same(placedUnder, cache.ListOrderedByKey()[1].Key);

        // Likewise its function's UID (the string the function's metadata holds), only when it is its owner's.
        var functionUid = new string("uid-f".AsSpan());
        created.ShareOwnerUid("uid-g");
        created.ShareOwnerUid(null);
        Assert.Equal("uid-f", created.OwnerUid);
        Assert.NotSame(functionUid, created.OwnerUid);
        created.ShareOwnerUid(functionUid);
        Assert.Same(functionUid, created.OwnerUid);

        // A pod of the same name created again keeps its own owner.
        Assert.True(cache.Upsert(Version("50", uid: "uid-f-1-again", owner: "uid-f-again")));
        Assert.Equal("uid-f-again", cache.Get("ns/f-1")!.OwnerUid);
        Assert.Equal("uid-f-1-again", cache.Get("ns/f-1")!.Uid);
    }

    [Fact]
    public void A_pod_record_keeps_its_identity_as_fields_and_makes_its_metadata_when_asked()
    {
        var created = new DateTime(2026, 12, 2, 15, 0, 0, DateTimeKind.Utc);
        var meta = Metadata("f-1");
        (meta.Uid, meta.ResourceVersion, meta.CreationTimestamp, meta.DeletionTimestamp) = ("uid-1", "42", created, created.AddSeconds(5));
        meta.Labels["other"] = "label";
        var record = CacheTransforms.Pod(new V1Pod { Metadata = meta, Spec = new V1PodSpec { SchedulerName = "handoff" } });

        Assert.Equal(("f-1", "ns", "uid-1", "42", created, created.AddSeconds(5)),
            (record.Name, record.Namespace, record.Uid, record.ResourceVersion, record.CreationTimestamp, record.DeletionTimestamp));
        var made = record.Metadata;
        Assert.Equal(("f-1", "ns", "uid-1", "42", (DateTime?)created, (DateTime?)created.AddSeconds(5)),
            (made.Name, made.NamespaceProperty, made.Uid, made.ResourceVersion, made.CreationTimestamp, made.DeletionTimestamp));
        Assert.Null(made.Labels); // the identity alone: labels and owners were read into the record's other fields
        var renamed = record with { Metadata = new V1ObjectMeta { Name = "g-1", NamespaceProperty = "ns", ResourceVersion = "43" } };
        Assert.Equal(("43", "ns/g-1", null), (renamed.ResourceVersion, renamed.Key, renamed.DeletionTimestamp));

        // Its deletion is read from the field: an unbound plain pod naming Handoff waits for it until it is being deleted.
        V1Pod Plain(DateTime? deleted) => new()
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "uid-p", DeletionTimestamp = deleted },
            Spec = new V1PodSpec { SchedulerName = "handoff" },
        };
        Assert.Equal(PodRole.WaitingForHandoff, CacheTransforms.Pod(Plain(null)).RoleFor("handoff"));
        Assert.Equal(PodRole.OtherScheduler, CacheTransforms.Pod(Plain(created)).RoleFor("handoff"));
    }

    [Fact]
    public void A_binding_with_annotations_makes_a_plain_pod_one_Handoff_placed()
    {
        var waiting = CacheTransforms.Pod(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "plain", NamespaceProperty = "ns", Uid = "u", Annotations = new Dictionary<string, string> { ["team"] = "a" } },
            Spec = new V1PodSpec { SchedulerName = "handoff", Containers = [new V1Container { Name = "main" }] },
        });

        var bound = CacheTransforms.Bound(waiting, "node-1", new Dictionary<string, string>
        {
            [HandoffApi.HandoffNodeAnnotation] = "hn-1",
            [HandoffApi.CostAnnotation] = "{\"cpu\":\"1\"}",
        });

        Assert.Equal(PodRole.PlacedByHandoff, bound.RoleFor("handoff"));
        Assert.Equal(("node-1", "hn-1", 1000L), (bound.NodeName, bound.HandoffNode, bound.HoldingAs(PodRole.PlacedByHandoff)!["cpu"]));
        Assert.Equal(("a", "node-1"), (bound.Source!.Metadata.Annotations["team"], bound.Source.Spec.NodeName));
        Assert.Equal((PodRole.WaitingForHandoff, 1), (waiting.RoleFor("handoff"), waiting.Source!.Metadata.Annotations.Count));
    }

    [Fact]
    public void Pods_recording_one_cost_share_what_it_reads_as_and_a_cost_that_does_not_read_is_none()
    {
        PodRecord WithCost(string name, string json) => CacheTransforms.Pod(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", Uid = name, Annotations = new Dictionary<string, string> { [HandoffApi.CostAnnotation] = json } },
            Spec = new V1PodSpec { SchedulerName = "handoff", NodeName = "node-1", Containers = [new V1Container { Name = "main" }] },
        });

        // Distinct instances of one JSON, as two watch events deliver them.
        var (a, b) = (WithCost("a", "{\"cpu\":\"2\"}"), WithCost("b", string.Concat("{\"cpu\":", "\"2\"}")));
        Assert.Same(a.Cost, b.Cost);
        Assert.Equal(2000, a.Cost!["cpu"]);
        Assert.Null(WithCost("c", "{\"cpu\":\"lots\"}").Cost);
        Assert.Null(WithCost("d", "{\"cpu\":\"lots\"}").Cost);
        Assert.Null(WithCost("e", "not json").Cost);
    }

    [Fact]
    public void Strings_repeated_across_objects_are_shared_not_copied()
    {
        // As from two separate watch events: equal strings, distinct instances.
        static HandoffFunction Deserialized(string name) => k8s.KubernetesJson.Deserialize<HandoffFunction>(
            "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"team-a\",\"labels\":{\"app\":\"etl\"}}," +
            "\"spec\":{\"cost\":{\"cpu\":\"1\"},\"preemptionPolicy\":\"PreemptLowerPriority\",\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox:1.36\"}]}}}," +
            "\"status\":{\"phase\":\"Scheduled\",\"node\":\"node-1\",\"conditions\":[{\"type\":\"Scheduled\",\"status\":\"True\",\"reason\":\"Scheduled\",\"message\":\"no args\"}]}}");
        var (a, b) = (Deserialized("a"), Deserialized("b"));
        Assert.NotSame(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);

        var (x, y) = (CacheTransforms.Function(a), CacheTransforms.Function(b));

        Assert.Same(x.Metadata.NamespaceProperty, y.Metadata.NamespaceProperty);
        Assert.Same(x.Metadata.Labels["app"], y.Metadata.Labels["app"]);
        Assert.Same(x.Spec.Cost!["cpu"], y.Spec.Cost!["cpu"]);
        Assert.Same(x.Spec.Template.Spec.Containers[0].Image, y.Spec.Template.Spec.Containers[0].Image);
        Assert.Same(x.Status.Node, y.Status.Node);
        Assert.Same(x.Status.Conditions![0].Reason, y.Status.Conditions![0].Reason);
        Assert.Same(x.Status.Conditions![0].Message, y.Status.Conditions![0].Message);
        Assert.Same(x.Spec.PreemptionPolicy, y.Spec.PreemptionPolicy);
        Assert.Same(x.ApiVersion, y.ApiVersion);
        Assert.Equal(("a", "team-a", "busybox:1.36", "Scheduled"), (x.Metadata.Name, x.Metadata.NamespaceProperty, x.Spec.Template.Spec.Containers[0].Image, x.Status.Phase));
    }

    [Fact]
    public void A_pod_without_status_or_containers_is_kept_as_it_is()
    {
        var kept = CacheTransforms.Pod(new V1Pod { Metadata = new V1ObjectMeta { Name = "bare", NamespaceProperty = "ns" } });
        Assert.Null(kept.Source!.Status);
        Assert.Empty(kept.Source.Spec.Containers);
        Assert.False(kept.Bound);
        Assert.True(kept.Requests.IsZero);
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
    public void A_node_decoded_for_the_cache_reads_only_what_is_kept_and_is_kept_as_a_whole_node_is()
    {
        var heartbeat = Started.AddMinutes(5);
        var node = new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = Metadata("node-1"),
            Spec = new V1NodeSpec { Unschedulable = true, PodCIDR = "10.0.0.0/24", ProviderID = "sandbox://1", Taints = [new V1Taint { Key = "gpu", Value = "true", Effect = "NoSchedule" }] },
            Status = new V1NodeStatus
            {
                Conditions =
                [
                    new V1NodeCondition { Type = "MemoryPressure", Status = "False", LastHeartbeatTime = heartbeat, LastTransitionTime = Started },
                    new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "ready", LastHeartbeatTime = heartbeat, LastTransitionTime = Started },
                ],
                Images = [new V1ContainerImage { Names = ["busybox"], SizeBytes = 1 }],
                NodeInfo = new V1NodeSystemInfo { MachineID = "m", KubeletVersion = "v1.32.0", Architecture = "amd64", BootID = "b", ContainerRuntimeVersion = "c", KernelVersion = "k", KubeProxyVersion = "p", OperatingSystem = "linux", OsImage = "o", SystemUUID = "s" },
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "10.0.0.1" }],
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("8") },
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("7500m"), ["memory"] = new("30Gi") },
            },
        };
        var json = KubernetesJson.Serialize(node);

        var read = JsonSerializer.Deserialize<V1Node>(json, CacheTransforms.NodeJson)!;

        // What the cache drops is not even read.
        Assert.Null(read.Status.Images);
        Assert.Null(read.Status.NodeInfo);
        Assert.Null(read.Status.Addresses);
        Assert.Null(read.Status.Capacity);
        Assert.Null(read.Spec.PodCIDR);
        Assert.Null(read.Metadata.ManagedFields);
        Assert.Null(read.Metadata.Annotations);
        Assert.Equal("Ready", Assert.Single(read.Status.Conditions).Type); // the pressure conditions are skipped
        Assert.Null(read.Status.Conditions[0].LastHeartbeatTime);
        // Quantities are the kept instances of their text: a second report parses none.
        var again = JsonSerializer.Deserialize<V1Node>(json, CacheTransforms.NodeJson)!;
        Assert.Same(read.Status.Allocatable["cpu"], again.Status.Allocatable["cpu"]);
        Assert.Same(read.Status.Allocatable["memory"], CacheTransforms.Node(again).Status.Allocatable["memory"]);
        // And what it keeps is what a whole Node's keeping gives.
        Assert.Equal(
            KubernetesJson.Serialize(CacheTransforms.Node(KubernetesJson.Deserialize<V1Node>(json))),
            KubernetesJson.Serialize(CacheTransforms.Node(read)));
        Assert.True(Operator.Reconciliation.NodeFacts.Same(CacheTransforms.Node(KubernetesJson.Deserialize<V1Node>(json)), CacheTransforms.Node(read)));
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

    [Fact]
    public void A_HandoffNode_keeps_its_status_as_it_reads_with_strings_shared_and_an_empty_map_still_empty()
    {
        static HandoffNode Node(string name) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new HandoffNodeSpec { Capacity = new Dictionary<string, string> { [new string("cpu")] = new string("16") } },
            Status = new HandoffNodeStatus
            {
                Allocated = new Dictionary<string, string>(),
                Available = new Dictionary<string, string> { [new string("cpu")] = new string("16") },
                Functions = 0,
                Conditions =
                [
                    new HandoffCondition { Type = new string("Ready"), Status = new string("True"), Reason = new string("NodeReady"), Message = "node " + name + " is Ready" },
                    new HandoffCondition { Type = new string("Overcommitted"), Status = new string("False"), Reason = new string("WithinCapacity"), Message = new string("fits") },
                ],
            },
        };

        var (a, b) = (CacheTransforms.HandoffNode(Node("a")), CacheTransforms.HandoffNode(Node("b")));

        // The next status write is diffed against this: {} must not become null (that would be a write on every pass).
        Assert.NotNull(a.Status.Allocated);
        Assert.Empty(a.Status.Allocated);
        Assert.Null(a.Status.External);
        Assert.Equal(KubernetesJson.Serialize(Node("a").Status), KubernetesJson.Serialize(a.Status));
        Assert.Same(a.Spec.Capacity["cpu"], b.Spec.Capacity["cpu"]);
        Assert.Same(a.Status.Available!["cpu"], b.Status.Available!["cpu"]);
        Assert.Same(a.Status.Conditions![0].Reason, b.Status.Conditions![0].Reason);
        Assert.NotSame(a.Status.Conditions[0], b.Status.Conditions[0]); // its message names the node
        Assert.Same(a.Status.Conditions[1], b.Status.Conditions[1]);
    }

    [Fact]
    public void Equal_specs_without_args_are_decoded_once_and_kept_once_and_a_spec_with_args_is_its_own()
    {
        static string Json(string name, string extra = "") =>
            "{\"apiVersion\":\"handoff.dev/v1alpha1\",\"kind\":\"HandoffFunction\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"ns\",\"uid\":\"uid-" + name
            + "\"},\"spec\":{\"cost\":{\"cpu\":\"1\"},\"strategy\":\"BestFit\"," + extra
            + "\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:spec-test\"}]}}}}";
        static HandoffFunction Decode(string json) => CacheTransforms.Function(JsonSerializer.Deserialize<HandoffFunction>(json, CacheTransforms.FunctionJson)!);

        var a = Decode(Json("a"));
        var b = Decode(Json("b"));
        var emptyArgs = Decode(Json("e", "\"args\":[],"));
        var withArgs = Decode(Json("c", "\"args\":[\"a\"],"));
        var withArgsToo = Decode(Json("d", "\"args\":[\"a\"],"));
        var withExtraArgs = Decode(Json("x", "\"extraArgs\":[\"7\"],"));

        Assert.Same(a.Spec, b.Spec);
        Assert.True(CacheTransforms.Specs.IsKept(a.Spec));
        Assert.NotSame(a.Spec, emptyArgs.Spec); // other bytes, still kept once among its equals
        Assert.True(CacheTransforms.Specs.IsKept(emptyArgs.Spec));
        Assert.NotSame(withArgs.Spec, withArgsToo.Spec);
        Assert.False(CacheTransforms.Specs.IsKept(withArgs.Spec));
        Assert.False(CacheTransforms.Specs.IsKept(withExtraArgs.Spec));
        Assert.Equal(["a"], withArgs.Spec.Args!);
        Assert.Equal(["7"], withExtraArgs.Spec.ExtraArgs!);

        // Kept as the transform keeps any spec: template and cost map shared, strings pooled.
        foreach (var f in new[] { b, emptyArgs, withArgs, withArgsToo, withExtraArgs })
        {
            Assert.Same(a.Spec.Template, f.Spec.Template);
            Assert.Same(a.Spec.Cost, f.Spec.Cost);
            Assert.Same(a.Spec.Strategy, f.Spec.Strategy);
        }

        Assert.Equal("busybox:spec-test", a.Spec.Template.Spec.Containers[0].Image);

        // A problem inside a spec is said from the object's root.
        var bad = Json("bad", "\"maxRetries\":\"three\",");
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<HandoffFunction>(bad, CacheTransforms.FunctionJson));
        Assert.Equal("$.spec.maxRetries", error.Path);
    }

    [Fact]
    public void Equal_conditions_are_kept_once_and_a_condition_naming_its_object_or_differing_in_any_field_is_its_own()
    {
        static HandoffCondition Condition(string type, string status, string? message, DateTime time, long generation = 1) => new()
        {
            Type = new string(type),
            Status = new string(status),
            Reason = new string("R"),
            Message = message is null ? null : new string(message),
            LastTransitionTime = time,
            ObservedGeneration = generation,
        };

        static HandoffFunction Function(string name, string pod, DateTime scheduledAt, long generation = 1) => new()
        {
            Metadata = Metadata(name),
            Spec = new HandoffFunctionSpec { Template = new V1PodTemplateSpec() },
            Status = new HandoffFunctionStatus
            {
                Phase = "Scheduled",
                Conditions =
                [
                    Condition("DependenciesReady", "True", "no args", Started, generation),
                    Condition("Scheduled", "True", $"pod {pod} bound to hn-1", scheduledAt, generation),
                    Condition("Completed", "False", null, Started, generation),
                ],
            },
        };

        var a = CacheTransforms.Function(Function("a", "a-1", Started));
        var b = CacheTransforms.Function(Function("b", "b-1", Started));
        var later = CacheTransforms.Function(Function("c", "c-1", Started.AddSeconds(1)));
        var otherGeneration = CacheTransforms.Function(Function("d", "d-1", Started, generation: 2));

        Assert.Same(a.Status.Conditions![0], b.Status.Conditions![0]);
        Assert.Same(a.Status.Conditions[2], b.Status.Conditions[2]);
        Assert.Same(a.Status.Conditions[0], later.Status.Conditions![0]);
        Assert.NotSame(a.Status.Conditions[1], b.Status.Conditions[1]);
        Assert.Equal("pod b-1 bound to hn-1", b.Status.Conditions[1].Message);
        Assert.NotSame(a.Status.Conditions[0], otherGeneration.Status.Conditions![0]);
        Assert.Equal(2, otherGeneration.Status.Conditions[0].ObservedGeneration);
        Assert.Equal(
            KubernetesJson.Serialize(Function("b", "b-1", Started).Status),
            KubernetesJson.Serialize(b.Status));

        // A waiting function's Scheduled=False is shared; a message differing only in where a field ends is not confused.
        var waiting = CacheTransforms.Function(new HandoffFunction
        {
            Metadata = Metadata("w"),
            Status = new HandoffFunctionStatus { Conditions = [Condition("Scheduled", "False", "no room", Started)] },
        });
        var waitingToo = CacheTransforms.Function(new HandoffFunction
        {
            Metadata = Metadata("w2"),
            Status = new HandoffFunctionStatus { Conditions = [Condition("Scheduled", "False", "no room", Started)] },
        });
        var shifted = CacheTransforms.Function(new HandoffFunction
        {
            Metadata = Metadata("w3"),
            Status = new HandoffFunctionStatus { Conditions = [new HandoffCondition { Type = "Scheduled", Status = "False", Reason = "Rn", Message = "o room", LastTransitionTime = Started, ObservedGeneration = 1 }] },
        });
        Assert.Same(waiting.Status.Conditions![0], waitingToo.Status.Conditions![0]);
        Assert.NotSame(waiting.Status.Conditions[0], shifted.Status.Conditions![0]);
        Assert.Equal("o room", shifted.Status.Conditions[0].Message);
    }

    [Fact]
    public void HandoffNodes_of_one_shape_hold_one_instance_of_each_equal_map_and_a_different_map_their_own()
    {
        static HandoffNode Node(string name, string cpu) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new HandoffNodeSpec { Capacity = new Dictionary<string, string> { ["cpu"] = "16", ["memory"] = "64Gi" } },
            Status = new HandoffNodeStatus
            {
                Allocated = new Dictionary<string, string>(),
                Available = new Dictionary<string, string> { ["memory"] = "64Gi", ["cpu"] = cpu },
            },
        };

        var (a, b, busy) = (CacheTransforms.HandoffNode(Node("a", "16")), CacheTransforms.HandoffNode(Node("b", "16")), CacheTransforms.HandoffNode(Node("c", "15")));

        Assert.Same(a.Spec.Capacity, b.Spec.Capacity);
        Assert.Same(a.Status.Available, b.Status.Available);
        Assert.Same(a.Status.Allocated, b.Status.Allocated);
        Assert.Same(a.Spec.Capacity, busy.Spec.Capacity);
        Assert.NotSame(a.Status.Available, busy.Status.Available);
        Assert.Equal("15", busy.Status.Available!["cpu"]);
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "16", ["memory"] = "64Gi" }, a.Status.Available!);
    }

    [Fact]
    public void Nodes_of_one_shape_share_their_allocatable_quantities_and_keep_their_Ready_condition()
    {
        static V1Node Node(string name) => new()
        {
            Metadata = Metadata(name),
            Status = new V1NodeStatus
            {
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "False", Reason = "KubeletNotReady", Message = new string("PLEG is not healthy") }],
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("7500m"), ["memory"] = new("16Gi") },
            },
        };

        var (a, b) = (CacheTransforms.Node(Node("a")), CacheTransforms.Node(Node("b")));

        Assert.Same(a.Status.Allocatable["memory"], b.Status.Allocatable["memory"]);
        Assert.Equal(("7500m", "16Gi"), (b.Status.Allocatable["cpu"].ToString(), b.Status.Allocatable["memory"].ToString()));
        var ready = Assert.Single(b.Status.Conditions);
        Assert.Equal(("Ready", "False", "KubeletNotReady", "PLEG is not healthy"), (ready.Type, ready.Status, ready.Reason, ready.Message));
        Assert.Same(a.Status.Conditions[0].Message, ready.Message);
    }
}
