using Handoff.Core.Resources;
using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

public sealed class PodResourcePatchTests
{
    private static ContainerResources Container(params (string, string)[] requests) => ContainerResources.WithRequests(ResourceList.Of(requests));

    private static ResourceList Cost(params (string, string)[] cost) => ResourceList.Of(cost);

    [Fact]
    public void The_first_containers_request_is_raised_to_the_cost()
    {
        var pod = PodResources.Of(Container(("cpu", "500m"), ("memory", "1Gi")), Container(("cpu", "1")));
        var patch = PodResourcePatch.For(Cost(("cpu", "2500m"), ("memory", "512Mi")), pod);
        Assert.Equal(ResourceList.Of(("cpu", "1500m")), patch.FirstContainerRequests);
        Assert.Equal(ResourceList.Empty, patch.FirstContainerLimits);
        Assert.Equal(ResourceList.Of(("cpu", "2500m"), ("memory", "1Gi")), PodRequests.Effective(patch.ApplyTo(pod)));
    }

    [Fact]
    public void Extended_resources_get_limits_equal_to_requests()
    {
        var patch = PodResourcePatch.For(Cost(("nvidia.com/gpu", "2"), ("hugepages-2Mi", "4Mi")), PodResources.Of(ContainerResources.None));
        Assert.Equal(ResourceList.Of(("hugepages-2Mi", "4Mi"), ("nvidia.com/gpu", "2")), patch.FirstContainerRequests);
        Assert.Equal(patch.FirstContainerRequests, patch.FirstContainerLimits);
    }

    [Fact]
    public void Handoff_only_names_never_reach_the_pod()
    {
        var patch = PodResourcePatch.For(Cost(("gpu", "1"), ("specialized_hardware", "1"), ("handoff.dev/slot", "1")), PodResources.Of(ContainerResources.None));
        Assert.True(patch.IsEmpty);
        Assert.Same(PodResourcePatch.None, patch);
    }

    [Fact]
    public void A_pod_that_already_claims_the_cost_is_left_alone() =>
        Assert.True(PodResourcePatch.For(Cost(("cpu", "1")), PodResources.Of(Container(("cpu", "2")))).IsEmpty);

    [Fact]
    public void The_raise_makes_up_for_the_containers_when_an_init_container_is_the_peak()
    {
        // Effective 4 (the init container); raising the main container by 5 - 4 = 1 would leave it at 4.
        var pod = PodResources.Of(Container(("cpu", "1"))) with { InitContainers = [Container(("cpu", "4"))] };
        var patch = PodResourcePatch.For(Cost(("cpu", "5")), pod);
        Assert.Equal(ResourceList.Of(("cpu", "5")), patch.FirstContainerRequests);
        Assert.Equal(5000, PodRequests.Effective(patch.ApplyTo(pod))["cpu"]);
    }

    [Fact]
    public void Overhead_and_sidecars_count_towards_the_cost()
    {
        var pod = PodResources.Of(Container(("cpu", "100m"))) with
        {
            InitContainers = [Container(("cpu", "500m")) with { RestartPolicyAlways = true }],
            Overhead = ResourceList.Of(("cpu", "250m")),
        };
        var patch = PodResourcePatch.For(Cost(("cpu", "2")), pod);
        Assert.Equal(ResourceList.Of(("cpu", "1250m")), patch.FirstContainerRequests);
        Assert.Equal(2000, PodRequests.Effective(patch.ApplyTo(pod))["cpu"]);
    }

    [Fact]
    public void A_cpu_or_memory_limit_below_the_new_request_is_raised_and_a_higher_one_kept()
    {
        var pod = PodResources.Of(new ContainerResources(ResourceList.Of(("cpu", "1"), ("memory", "1Gi")), ResourceList.Of(("cpu", "1"), ("memory", "8Gi"))));
        var patch = PodResourcePatch.For(Cost(("cpu", "2"), ("memory", "2Gi")), pod);
        Assert.Equal(ResourceList.Of(("cpu", "2"), ("memory", "2Gi")), patch.FirstContainerRequests);
        Assert.Equal(ResourceList.Of(("cpu", "2")), patch.FirstContainerLimits);
    }

    [Fact]
    public void A_limit_only_extended_resource_is_raised_from_its_limit()
    {
        var pod = PodResources.Of(new ContainerResources(ResourceList.Empty, ResourceList.Of(("nvidia.com/gpu", "1"))));
        var patch = PodResourcePatch.For(Cost(("nvidia.com/gpu", "2")), pod);
        Assert.Equal(ResourceList.Of(("nvidia.com/gpu", "2")), patch.FirstContainerRequests);
        Assert.Equal(ResourceList.Of(("nvidia.com/gpu", "2")), patch.FirstContainerLimits);
    }

    [Fact]
    public void Where_pod_level_resources_decide_the_pod_level_request_and_limit_are_raised()
    {
        var pod = PodResources.Of(Container(("cpu", "500m"))) with
        {
            PodLevelRequests = ResourceList.Of(("cpu", "1")),
            PodLevelLimits = ResourceList.Of(("cpu", "1"), ("memory", "4Gi")),
        };
        var patch = PodResourcePatch.For(Cost(("cpu", "3"), ("memory", "8Gi")), pod);
        Assert.Equal(ResourceList.Empty, patch.FirstContainerRequests);
        Assert.Equal(ResourceList.Of(("cpu", "3"), ("memory", "8Gi")), patch.PodLevelRequests);
        Assert.Equal(ResourceList.Of(("cpu", "3"), ("memory", "8Gi")), patch.PodLevelLimits);
        Assert.Equal(ResourceList.Of(("cpu", "3"), ("memory", "8Gi")), PodRequests.Effective(patch.ApplyTo(pod)));
    }

    [Fact]
    public void A_pod_level_limit_the_api_server_would_default_below_the_request_is_set()
    {
        // No pod-level limits, every container limits cpu: the API server would default the pod's cpu limit to 1.
        var pod = PodResources.Of(new ContainerResources(ResourceList.Of(("cpu", "1")), ResourceList.Of(("cpu", "1")))) with
        {
            PodLevelRequests = ResourceList.Of(("cpu", "1")),
        };
        var patch = PodResourcePatch.For(Cost(("cpu", "2")), pod);
        Assert.Equal(ResourceList.Of(("cpu", "2")), patch.PodLevelRequests);
        Assert.Equal(ResourceList.Of(("cpu", "2")), patch.PodLevelLimits);
    }

    [Fact]
    public void Applying_sets_only_the_patched_entries()
    {
        var pod = PodResources.Of(new ContainerResources(ResourceList.Of(("cpu", "1"), ("memory", "1Gi")), ResourceList.Of(("memory", "2Gi"))), Container(("cpu", "1")));
        var patched = PodResourcePatch.For(Cost(("cpu", "3")), pod).ApplyTo(pod);
        Assert.Equal(ResourceList.Of(("cpu", "2"), ("memory", "1Gi")), patched.Containers[0].Requests);
        Assert.Equal(ResourceList.Of(("memory", "2Gi")), patched.Containers[0].Limits);
        Assert.Same(pod.Containers[1], patched.Containers[1]);
    }
}
