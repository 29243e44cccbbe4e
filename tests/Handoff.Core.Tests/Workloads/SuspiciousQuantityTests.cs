using Handoff.Core.Resources;
using Handoff.Core.Workloads;

namespace Handoff.Core.Tests.Workloads;

public sealed class SuspiciousQuantityTests
{
    [Fact]
    public void Megabytes_written_as_bytes_on_node_backed_capacity_are_named()
    {
        var warning = SuspiciousQuantity.InCost("default/transform", ResourceList.Of(("cpu", "2"), ("memory", "4000")), capacityFromNode: true);
        Assert.NotNull(warning);
        Assert.Equal("SuspiciousQuantity", SuspiciousQuantity.Reason);
        Assert.Equal(4_000_000, warning.AmountMilli);
        Assert.Equal(
            "function default/transform: memory cost 4000 is under 1Mi; a Node counts memory in bytes, so this is 4000 bytes (write 4000M or 4000Mi for megabytes)",
            warning.Message);
    }

    [Theory]
    [InlineData("1048575", true, true)]
    [InlineData("1", true, true)]
    [InlineData("4000", false, false)]
    [InlineData("1Mi", true, false)]
    [InlineData("16Gi", true, false)]
    [InlineData("0", true, false)]
    public void Only_memory_above_0_and_under_1Mi_on_node_backed_capacity_is_suspicious(string memory, bool capacityFromNode, bool suspicious) =>
        Assert.Equal(suspicious, SuspiciousQuantity.InCost("ns/f", ResourceList.Of(("memory", memory)), capacityFromNode) is not null);

    [Fact]
    public void Other_resources_are_never_suspicious() =>
        Assert.Null(SuspiciousQuantity.InCost("ns/f", ResourceList.Of(("cpu", "1m"), ("gpu", "1")), capacityFromNode: true));

    [Fact]
    public void A_fraction_of_a_byte_gets_no_unit_advice()
    {
        var warning = SuspiciousQuantity.InCost("ns/f", ResourceList.Of(("memory", "500m")), capacityFromNode: true);
        Assert.Equal("function ns/f: memory cost 500m is under 1Mi; a Node counts memory in bytes, so this is 500m bytes", warning?.Message);
    }
}
