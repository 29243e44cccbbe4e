using Handoff.Core.Queueing;
using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Queueing;

public sealed class DominantShareTests
{
    private static ResourceList List(params (string, string)[] entries) => ResourceList.Of(entries);

    private static readonly ResourceList Cluster = List(("cpu", "100"), ("memory", "400Gi"), ("nvidia.com/gpu", "8"));

    [Fact]
    public void The_largest_share_over_resources_counts_against_quota_or_cluster_capacity()
    {
        // cpu 4 of quota 8 = 1/2; memory 100Gi of the cluster's 400Gi = 1/4.
        var share = DominantShare.Of(List(("cpu", "4"), ("memory", "100Gi")), List(("cpu", "8")), Cluster, 1000);
        Assert.Equal("cpu", share.Resource);
        Assert.Equal(0.5, share.ToDouble());
        Assert.Equal("0.5 (cpu)", share.ToString());
        Assert.Equal(DominantShare.Of(List(("nvidia.com/gpu", "4")), ResourceList.Empty, Cluster, 1000), share);
    }

    [Fact]
    public void The_weight_divides_the_share()
    {
        var usage = List(("cpu", "30"));
        var heavy = DominantShare.Of(usage, ResourceList.Empty, Cluster, 2000);
        var light = DominantShare.Of(usage, ResourceList.Empty, Cluster, 500);
        Assert.Equal(0.15, heavy.ToDouble(), 12);
        Assert.Equal(0.6, light.ToDouble(), 12);
        Assert.True(heavy < light);
        Assert.Equal(DominantShare.Of(List(("cpu", "15")), ResourceList.Empty, Cluster, 1000), heavy);
    }

    [Fact]
    public void No_usage_is_zero_and_comes_first()
    {
        var zero = DominantShare.Of(List(("cpu", "0")), ResourceList.Empty, Cluster, 1000);
        Assert.True(zero.IsZero);
        Assert.Equal(DominantShare.Zero, zero);
        Assert.Equal(default, zero);
        Assert.Null(zero.Resource);
        Assert.Equal("0", zero.ToString());
        Assert.True(zero < DominantShare.Of(List(("cpu", "1m")), ResourceList.Empty, Cluster, 1000));
    }

    [Fact]
    public void Usage_with_nothing_to_measure_it_against_is_infinite()
    {
        var overZeroQuota = DominantShare.Of(List(("cpu", "1")), List(("cpu", "0")), Cluster, 1000);
        var unknownResource = DominantShare.Of(List(("example.com/fpga", "1")), ResourceList.Empty, Cluster, 5000);
        Assert.True(overZeroQuota.IsInfinite);
        Assert.Equal(overZeroQuota, unknownResource);
        Assert.Equal("infinite (example.com/fpga)", unknownResource.ToString());
        Assert.True(unknownResource > DominantShare.Of(List(("cpu", "100")), ResourceList.Empty, Cluster, 1));
        Assert.Equal(double.PositiveInfinity, unknownResource.ToDouble());
    }

    [Fact]
    public void Among_equal_shares_the_ordinal_first_resource_is_named() =>
        Assert.Equal("cpu", DominantShare.Of(List(("nvidia.com/gpu", "4"), ("cpu", "50")), ResourceList.Empty, Cluster, 1000).Resource);

    [Fact]
    public void The_implicit_queue_has_weight_1_and_no_quota() =>
        Assert.Equal(0.25, QueueQuotaState.Implicit(List(("memory", "100Gi"))).DominantShare(Cluster).ToDouble());

    [Fact]
    public void A_weight_that_is_not_positive_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DominantShare.Of(ResourceList.Empty, ResourceList.Empty, Cluster, 0));

    [Fact]
    public void Huge_quantities_compare_exactly()
    {
        // 2^62 - 1 vs 2^62 of 2^62 + 1: differ in the 63rd bit only, far beyond double precision.
        const long big = 1L << 62;
        var capacity = ResourceList.FromMilli([KeyValuePair.Create("memory", big + 1)]);
        var a = DominantShare.Of(ResourceList.FromMilli([KeyValuePair.Create("memory", big - 1)]), ResourceList.Empty, capacity, 999_999_999);
        var b = DominantShare.Of(ResourceList.FromMilli([KeyValuePair.Create("memory", big)]), ResourceList.Empty, capacity, 999_999_999);
        Assert.Equal(a.ToDouble(), b.ToDouble(), 15);
        Assert.True(a < b);
        Assert.NotEqual(a, b);
    }
}
