using Handoff.Core.Resources;
using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

public sealed class PodRequestsTests
{
    private static ContainerResources Container(params (string, string)[] requests) => ContainerResources.WithRequests(ResourceList.Of(requests));

    private static ContainerResources Sidecar(params (string, string)[] requests) => Container(requests) with { RestartPolicyAlways = true };

    [Fact]
    public void Regular_containers_add_up() =>
        Assert.Equal(
            ResourceList.Of(("cpu", "1500m"), ("memory", "3Gi")),
            PodRequests.Effective(PodResources.Of(Container(("cpu", "1"), ("memory", "1Gi")), Container(("cpu", "500m"), ("memory", "2Gi")))));

    [Fact]
    public void The_largest_init_container_counts_when_it_needs_more_than_the_containers()
    {
        var pod = PodResources.Of(Container(("cpu", "1"), ("memory", "4Gi"))) with
        {
            InitContainers = [Container(("cpu", "4")), Container(("cpu", "2"), ("memory", "1Gi"))],
        };
        Assert.Equal(ResourceList.Of(("cpu", "4"), ("memory", "4Gi")), PodRequests.Effective(pod));
    }

    [Fact]
    public void Sidecars_run_with_the_containers_and_with_every_init_container_after_them()
    {
        // KEP-753: sidecar (1) + main (1) = 2 while running; the init container after the sidecar needs 2 + 1 = 3.
        var pod = PodResources.Of(Container(("cpu", "1"))) with { InitContainers = [Sidecar(("cpu", "1")), Container(("cpu", "2"))] };
        Assert.Equal(ResourceList.Of(("cpu", "3")), PodRequests.Effective(pod));

        // An init container before the sidecar runs alone.
        var before = PodResources.Of(Container(("cpu", "1"))) with { InitContainers = [Container(("cpu", "2")), Sidecar(("cpu", "1"))] };
        Assert.Equal(ResourceList.Of(("cpu", "2")), PodRequests.Effective(before));

        // Sidecars alone can outweigh everything.
        var sidecars = PodResources.Of(Container(("cpu", "100m"))) with { InitContainers = [Sidecar(("cpu", "3")), Container(("cpu", "1"))] };
        Assert.Equal(ResourceList.Of(("cpu", "4")), PodRequests.Effective(sidecars));
    }

    [Fact]
    public void Overhead_is_added() =>
        Assert.Equal(
            ResourceList.Of(("cpu", "1250m"), ("memory", "120Mi")),
            PodRequests.Effective(PodResources.Of(Container(("cpu", "1"))) with { Overhead = ResourceList.Of(("cpu", "250m"), ("memory", "120Mi")) }));

    [Fact]
    public void A_limit_without_a_request_is_the_request_as_the_api_server_defaults_it()
    {
        var limitsOnly = new ContainerResources(ResourceList.Of(("cpu", "1")), ResourceList.Of(("cpu", "2"), ("nvidia.com/gpu", "1")));
        Assert.Equal(ResourceList.Of(("cpu", "1"), ("nvidia.com/gpu", "1")), PodRequests.Effective(PodResources.Of(limitsOnly)));

        // An explicit 0 request stays 0: only a missing request is defaulted.
        var zero = new ContainerResources(ResourceList.Of(("cpu", "0")), ResourceList.Of(("cpu", "2")));
        Assert.Equal(0, PodRequests.Effective(PodResources.Of(zero))["cpu"]);
    }

    [Fact]
    public void Pod_level_requests_replace_the_containers_for_cpu_memory_and_hugepages_only()
    {
        var pod = PodResources.Of(Container(("cpu", "1"), ("nvidia.com/gpu", "1"), ("ephemeral-storage", "1Gi"))) with
        {
            PodLevelRequests = ResourceList.Of(("cpu", "4"), ("memory", "2Gi"), ("ephemeral-storage", "9Gi")),
        };
        Assert.Equal(
            ResourceList.Of(("cpu", "4"), ("memory", "2Gi"), ("nvidia.com/gpu", "1"), ("ephemeral-storage", "1Gi")),
            PodRequests.Effective(pod));
    }

    [Fact]
    public void A_pod_level_limit_is_the_request_unless_containers_request_that_cpu_or_memory()
    {
        var noMemoryRequest = PodResources.Of(Container(("cpu", "1"))) with { PodLevelLimits = ResourceList.Of(("cpu", "4"), ("memory", "8Gi")) };
        Assert.Equal(ResourceList.Of(("cpu", "1"), ("memory", "8Gi")), PodRequests.Effective(noMemoryRequest));
    }

    [Fact]
    public void Pod_level_hugepages_default_to_the_containers_limits_or_the_pod_level_limit()
    {
        var containerLimit = new ContainerResources(ResourceList.Of(("cpu", "1")), ResourceList.Of(("hugepages-2Mi", "4Mi")));
        var pod = PodResources.Of(containerLimit) with { PodLevelRequests = ResourceList.Of(("cpu", "2")) };
        Assert.Equal(ResourceList.Of(("cpu", "2"), ("hugepages-2Mi", "4Mi")), PodRequests.Effective(pod));

        var podLimit = pod with { PodLevelLimits = ResourceList.Of(("hugepages-2Mi", "8Mi")) };
        Assert.Equal(ResourceList.Of(("cpu", "2"), ("hugepages-2Mi", "8Mi")), PodRequests.Effective(podLimit));
    }

    [Fact]
    public void A_pod_without_containers_is_rejected() =>
        Assert.Throws<ArgumentException>(() => PodRequests.Effective(new PodResources { Containers = [] }));
}
