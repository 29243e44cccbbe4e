using CsCheck;
using Handoff.Core.Resources;
using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

public sealed class EffectiveCostTests
{
    [Fact]
    public void A_template_that_requests_a_gpu_needs_no_cost()
    {
        var pod = PodResources.Of(new ContainerResources(ResourceList.Empty, ResourceList.Of(("nvidia.com/gpu", "1"))));
        Assert.Equal(ResourceList.Of(("nvidia.com/gpu", "1")), EffectiveCost.Of(ResourceList.Empty, pod));
    }

    [Fact]
    public void The_cost_completes_and_the_larger_of_both_counts()
    {
        var cost = ResourceList.Of(("cpu", "2"), ("memory", "4000"), ("gpu", "1"));
        var request = ResourceList.Of(("cpu", "3"), ("memory", "100"), ("nvidia.com/gpu", "1"), ("ephemeral-storage", "0"));
        Assert.Equal(
            ResourceList.Of(("cpu", "3"), ("memory", "4000"), ("gpu", "1"), ("nvidia.com/gpu", "1")),
            EffectiveCost.Of(cost, request));
    }

    [Fact]
    public void Handoff_only_names_in_a_request_do_not_count() =>
        Assert.Equal(ResourceList.Of(("cpu", "1")), EffectiveCost.Of(ResourceList.Of(("cpu", "1")), ResourceList.Of(("handoff.dev/slot", "5"), ("pods", "1"))));

    [Fact]
    public void Is_the_cost_with_each_compute_resource_raised_to_the_pods_request() =>
        Gen.Select(WorkloadGenerators.GenList(5), WorkloadGenerators.GenList(5)).Sample((cost, request) =>
        {
            var effective = EffectiveCost.Of(cost, request);
            foreach (var name in WorkloadGenerators.Universe(cost, request, effective))
            {
                var expected = ComputeResources.IsKubernetesComputeResource(name) ? Math.Max(cost[name], request[name]) : cost[name];
                Assert.Equal(expected, effective[name]);
            }

            Assert.All(cost.Names, name => Assert.True(effective.Contains(name)));
        }, iter: 1000);
}
