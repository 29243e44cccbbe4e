using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

public sealed class ComputeResourcesTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("memory")]
    [InlineData("ephemeral-storage")]
    [InlineData("hugepages-2Mi")]
    [InlineData("hugepages-1Gi")]
    [InlineData("nvidia.com/gpu")]
    [InlineData("amd.com/gpu")]
    [InlineData("example.com/fpga")]
    [InlineData("example.com/specialized-hardware")]
    [InlineData("sub.example.com/Foo_1.x")]
    public void Kubernetes_compute_resources_are_claimed_by_the_pod(string name)
    {
        Assert.True(ComputeResources.IsKubernetesComputeResource(name));
        Assert.False(ComputeResources.IsHandoffOnly(name));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("specialized_hardware")]
    [InlineData("network_bandwidth")]
    [InlineData("pods")]
    [InlineData("handoff.dev/slot")]
    [InlineData("team.handoff.dev/slot")]
    [InlineData("kubernetes.io/batch")]
    [InlineData("node.kubernetes.io/thing")]
    [InlineData("requests.example.com/gpu")]
    [InlineData("hugepages-")]
    [InlineData("hugepages-huge")]
    [InlineData("hugepages-0")]
    [InlineData("Example.com/gpu")]
    [InlineData("a/b/c")]
    public void Every_other_name_is_handoff_bookkeeping(string name)
    {
        Assert.False(ComputeResources.IsKubernetesComputeResource(name));
        Assert.True(ComputeResources.IsHandoffOnly(name));
    }

    [Theory]
    [InlineData("nvidia.com/gpu", true)]
    [InlineData("handoff.dev/slot", true)]
    [InlineData("example.com/fpga", true)]
    [InlineData("cpu", false)]
    [InlineData("gpu", false)]
    [InlineData("hugepages-2Mi", false)]
    [InlineData("kubernetes.io/gpu", false)]
    [InlineData("foo.kubernetes.io/gpu", false)]
    [InlineData("requests.example.com/gpu", false)]
    [InlineData("Example.com/gpu", false)]
    [InlineData("example.com/-gpu", false)]
    [InlineData("example.com/", false)]
    public void Extended_resources_follow_kubes_rule(string name, bool extended) =>
        Assert.Equal(extended, ComputeResources.IsExtendedResource(name));

    [Theory]
    [InlineData("cpu", true)]
    [InlineData("memory", true)]
    [InlineData("ephemeral-storage", true)]
    [InlineData("hugepages-2Mi", false)]
    [InlineData("nvidia.com/gpu", false)]
    public void Only_native_non_hugepages_resources_may_be_overcommitted(string name, bool allowed) =>
        Assert.Equal(allowed, ComputeResources.IsOvercommitAllowed(name));
}
