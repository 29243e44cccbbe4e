using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Core.Nodes;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using k8s.Models;

namespace Handoff.Api.Tests.Mapping;

/// <summary>HandoffQueues, PriorityClasses and the queueing fields of functions and plain pods in Core's terms.</summary>
public sealed class QueueMapperTests
{
    private static HandoffQueue Queue(string name, HandoffQueueSpec spec) => new() { Metadata = new V1ObjectMeta { Name = name }, Spec = spec };

    private static HandoffFunction Function(string name, HandoffFunctionSpec spec, string ns = "team-a") =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = spec };

    [Fact]
    public void A_queue_maps_quota_borrowing_cohort_weight_strategy_and_namespace_selector()
    {
        var q = QueueMapper.ToQueue(Queue("team-a", new HandoffQueueSpec
        {
            Quota = new Dictionary<string, string> { ["cpu"] = "16", ["nvidia.com/gpu"] = "2" },
            BorrowingLimit = new Dictionary<string, string> { ["cpu"] = "8" },
            Cohort = "research",
            Weight = "0.5",
            QueueingStrategy = QueueingStrategies.StrictFIFO,
            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } },
        }));
        Assert.Equal("team-a", q.Name);
        Assert.Equal(ResourceList.Of(("cpu", "16"), ("nvidia.com/gpu", "2")), q.Quota);
        Assert.Equal(ResourceList.Of(("cpu", "8")), q.BorrowingLimit);
        Assert.Equal("research", q.Cohort);
        Assert.Equal(500, q.WeightMilli);
        Assert.Equal(QueueingStrategy.StrictFIFO, q.Strategy);
        Assert.True(q.NamespaceSelector.Matches(new Dictionary<string, string> { ["team"] = "a" }));
        Assert.False(q.NamespaceSelector.Matches(new Dictionary<string, string> { ["team"] = "b" }));
        Assert.Empty(q.Problems());
    }

    [Fact]
    public void A_queue_with_no_spec_fields_is_unlimited_weight_one_best_effort_and_open_to_all()
    {
        var q = QueueMapper.ToQueue(Queue("open", new HandoffQueueSpec()));
        Assert.Empty(q.Quota);
        Assert.Equal(QueueQuota.DefaultWeightMilli, q.WeightMilli);
        Assert.Equal(QueueingStrategy.BestEffortFIFO, q.Strategy);
        Assert.Same(LabelSelector.Everything, q.NamespaceSelector);
    }

    [Fact]
    public void What_cannot_be_read_makes_the_queue_inactive_with_the_field_named()
    {
        var q = QueueMapper.ToQueue(Queue("bad", new HandoffQueueSpec
        {
            Quota = new Dictionary<string, string> { ["cpu"] = "lots" },
            Weight = "0",
            QueueingStrategy = "Whenever",
        }));
        var problems = q.Problems();
        Assert.Contains(problems, p => p.StartsWith("spec.quota[cpu]: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("spec.queueingStrategy: Unsupported value: \"Whenever\"", StringComparison.Ordinal));
        Assert.Contains("weight 0 must be greater than 0", problems);
        var block = QueueAdmission.CheckQueue("bad", "ns", QueueAdmission.LabelsOfNamespace("ns"), QueueMapper.ToQueues([Queue("bad", new HandoffQueueSpec { Weight = "0" })]));
        Assert.Equal(Reasons.QueueInactive, block!.Reason);
    }

    [Fact]
    public void A_functions_traits_are_its_queue_priority_class_gang_in_its_namespace_and_preemption_policy()
    {
        var mapped = HandoffMapper.ToFunction(Function("worker-0", new HandoffFunctionSpec
        {
            Queue = "team-a",
            PriorityClassName = "high",
            Gang = new HandoffGang { Name = "train", MinMembers = 4 },
            PreemptionPolicy = PreemptionPolicies.Never,
        }));
        Assert.Equal(
            new SchedulingTraits { Queue = "team-a", PriorityClassName = "high", Gang = new GangRef("team-a/train", 4), MayPreempt = false },
            mapped.Traits);
        Assert.Equal(SchedulingTraits.None, HandoffMapper.ToFunction(Function("plain", new HandoffFunctionSpec())).Traits);
    }

    [Fact]
    public void A_bad_preemption_policy_or_gang_is_a_clear_error()
    {
        var e = Assert.Throws<ManifestValidationException>(() => QueueMapper.TraitsOf(Function("f", new HandoffFunctionSpec { PreemptionPolicy = "Sometimes" })));
        Assert.Equal("spec.preemptionPolicy", e.Field);
        e = Assert.Throws<ManifestValidationException>(() => QueueMapper.TraitsOf(Function("f", new HandoffFunctionSpec { Gang = new HandoffGang { Name = "g", MinMembers = 0 } })));
        Assert.Equal("spec.gang.minMembers", e.Field);
    }

    [Fact]
    public void Priority_is_spec_priority_else_the_class_value_else_zero_and_an_unknown_class_blocks()
    {
        var classes = QueueMapper.ToPriorityClasses([new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "high" }, Value = 1000 }]);
        var queues = QueueMapper.ToQueues([Queue("team-a", new HandoffQueueSpec())]);
        var labels = QueueAdmission.LabelsOfNamespace("team-a");
        var workload = new Workload(new Core.Allocation.PlacementRequest("team-a/f", ResourceList.Empty), Core.Allocation.AllocationStrategy.FirstAvailable,
            new QueueOrderKey(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "team-a/f"));
        (int, string?) Admit(SchedulingTraits t) => QueueAdmission.Admit(workload, t, "team-a", labels, queues, classes) is var (w, block) ? (w.Priority, block?.Reason) : default;

        Assert.Equal((7, null), Admit(new SchedulingTraits { Priority = 7, PriorityClassName = "high" }));
        Assert.Equal((1000, null), Admit(new SchedulingTraits { PriorityClassName = "high" }));
        Assert.Equal((0, null), Admit(SchedulingTraits.None));
        Assert.Equal((0, Reasons.UnknownPriorityClass), Admit(new SchedulingTraits { PriorityClassName = "urgent" }));
        Assert.Equal((0, Reasons.UnknownQueue), Admit(new SchedulingTraits { Queue = "team-z" }));
        var (admitted, _) = QueueAdmission.Admit(workload, new SchedulingTraits { Queue = "team-a", Gang = new GangRef("team-a/g", 2), MayPreempt = false }, "team-a", labels, queues, classes);
        Assert.Equal(("team-a", "team-a/g", false), (admitted.Queue, admitted.Gang!.Key, admitted.MayPreempt));
    }

    [Fact]
    public void A_plain_pod_takes_its_queue_from_the_annotation_and_its_priority_from_the_spec()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "team-a", Annotations = new Dictionary<string, string> { [HandoffApi.QueueAnnotation] = "team-a" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c" }], Priority = 50, PreemptionPolicy = "Never" },
        };
        var mapped = PodMapper.ToPlainPod(pod, Core.Allocation.AllocationStrategy.FirstAvailable);
        Assert.Equal(new SchedulingTraits { Queue = "team-a", Priority = 50, MayPreempt = false }, mapped.Traits);
    }
}
