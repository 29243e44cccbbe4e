using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using k8s.Models;

namespace Handoff.Api.Tests.Mapping;

/// <summary>The operator's memo of what functions share (their pod template, their cost map): the same mapping, read once per instance.</summary>
public sealed class SharedSpecMemoTests
{
    private static V1PodTemplateSpec Template(string gpu = "1") => new()
    {
        Spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "main",
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["nvidia.com/gpu"] = new(gpu) },
                    Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new(gpu) },
                },
            }],
            Tolerations = [new V1Toleration { Key = "gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }],
            NodeSelector = new Dictionary<string, string> { ["pool"] = "gpu" },
        },
    };

    private static HandoffFunction Function(string name, V1PodTemplateSpec template, Dictionary<string, string>? cost = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "team" },
        Spec = new HandoffFunctionSpec { Cost = cost ?? new Dictionary<string, string> { ["cpu"] = "1" }, Template = template },
    };

    [Fact]
    public void Functions_of_one_template_instance_share_its_terms_and_map_as_without_the_memo()
    {
        var memo = new SharedSpecMemo();
        var template = Template();
        var a = HandoffMapper.ToFunction(Function("a", template), shared: memo);
        var b = HandoffMapper.ToFunction(Function("b", template, new() { ["cpu"] = "4", ["memory"] = "1Gi" }), shared: memo);
        var alone = HandoffMapper.ToFunction(Function("b", template, new() { ["cpu"] = "4", ["memory"] = "1Gi" }));

        Assert.Same(a.PodResources, b.PodResources);
        Assert.Same(a.Placement.Tolerations, b.Placement.Tolerations);
        Assert.Same(a.Placement.Affinity, b.Placement.Affinity);
        Assert.Equal(ResourceList.Of(("cpu", "2"), ("nvidia.com/gpu", "1")), a.Placement.Cost);
        Assert.Equal(alone.Placement.Cost, b.Placement.Cost);
        Assert.Equal(ResourceList.Of(("cpu", "4"), ("memory", "1Gi"), ("nvidia.com/gpu", "1")), b.Placement.Cost);
        Assert.Equal(alone.PodResources.Containers, b.PodResources.Containers);
        Assert.Equal(alone.Placement.Tolerations, b.Placement.Tolerations);
        Assert.Equal("gpu", b.Placement.Affinity!.NodeSelector["pool"]);
    }

    [Fact]
    public void An_equal_template_that_is_another_instance_is_read_on_its_own()
    {
        var memo = new SharedSpecMemo();
        var a = HandoffMapper.ToFunction(Function("a", Template("1")), shared: memo);
        var b = HandoffMapper.ToFunction(Function("b", Template("2")), shared: memo);
        Assert.NotSame(a.PodResources, b.PodResources);
        Assert.Equal(1000, a.Placement.Cost["nvidia.com/gpu"]);
        Assert.Equal(2000, b.Placement.Cost["nvidia.com/gpu"]);
    }

    [Fact]
    public void A_template_that_does_not_read_is_an_error_naming_each_function_that_uses_it()
    {
        var memo = new SharedSpecMemo();
        var broken = Template();
        broken.Spec.Containers[0].Resources.Requests["cpu"] = new ResourceQuantity("1n");
        var first = Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToFunction(Function("first", broken), shared: memo));
        var second = Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToFunction(Function("second", broken), shared: memo));
        Assert.Contains("HandoffFunction team/first", first.Message, StringComparison.Ordinal);
        Assert.Contains("HandoffFunction team/second", second.Message, StringComparison.Ordinal);
        Assert.Contains("spec.template.spec.containers[0].resources.requests[cpu]", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_sharing_one_cost_map_share_its_parsed_cost_and_a_cost_that_does_not_read_names_each_function()
    {
        var memo = new SharedSpecMemo();
        var cost = new Dictionary<string, string> { ["cpu"] = "1", ["memory"] = "1Gi" };
        var a = HandoffMapper.ToFunction(Function("a", new V1PodTemplateSpec(), cost), shared: memo);
        var b = HandoffMapper.ToFunction(Function("b", new V1PodTemplateSpec(), cost), shared: memo);
        Assert.Same(a.DeclaredCost, b.DeclaredCost);
        Assert.Equal(ResourceList.Of(("cpu", "1"), ("memory", "1Gi")), b.DeclaredCost);

        var broken = new Dictionary<string, string> { ["cpu"] = "1n" };
        var first = Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToFunction(Function("first", new V1PodTemplateSpec(), broken), shared: memo));
        var second = Assert.Throws<ManifestValidationException>(() => HandoffMapper.ToFunction(Function("second", new V1PodTemplateSpec(), broken), shared: memo));
        Assert.Equal(("HandoffFunction team/first", "spec.cost[cpu]"), (first.ObjectReference, first.Field));
        Assert.Equal("HandoffFunction team/second", second.ObjectReference);
    }

    [Fact]
    public void A_template_without_containers_leaves_the_cost_as_declared()
    {
        var memo = new SharedSpecMemo();
        var f = HandoffMapper.ToFunction(Function("a", new V1PodTemplateSpec { Spec = new V1PodSpec() }), shared: memo);
        Assert.Equal(ResourceList.Of(("cpu", "1")), f.Placement.Cost);
        Assert.Empty(f.PodResources.Containers);
    }

    [Fact]
    public void A_function_that_says_nothing_about_queueing_has_the_shared_default_traits()
    {
        var plain = HandoffMapper.ToFunction(Function("a", Template()));
        Assert.Same(SchedulingTraits.None, plain.Traits);
        var queued = Function("b", Template());
        queued.Spec.Queue = "research";
        Assert.Equal("research", HandoffMapper.ToFunction(queued).Traits.Queue);
    }
}
