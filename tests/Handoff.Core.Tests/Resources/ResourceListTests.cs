using Handoff.Core.Resources;

namespace Handoff.Core.Tests.Resources;

public sealed class ResourceListTests
{
    [Theory]
    [InlineData("2", 2000)]
    [InlineData("500m", 500)]
    [InlineData("1.5", 1500)]
    [InlineData("4000", 4_000_000)]
    [InlineData("1e3", 1_000_000)]
    [InlineData("16Gi", 17_179_869_184_000)]
    [InlineData("1k", 1_000_000)]
    [InlineData("0", 0)]
    [InlineData(" 3 ", 3000)]
    public void Parses_kubernetes_quantities_into_exact_milli_units(string quantity, long milli) =>
        Assert.Equal(milli, ResourceList.ParseQuantity("cpu", quantity));

    [Theory]
    [InlineData("abc", "invalid quantity \"abc\"")]
    [InlineData("", "invalid quantity \"\"")]
    [InlineData("-1", "must not be negative")]
    [InlineData("-500m", "must not be negative")]
    [InlineData("1n", "finer than 1m")]
    [InlineData("0.0001", "finer than 1m")]
    [InlineData("10E", "too large")]
    public void Rejects_bad_quantities_naming_resource_and_value(string quantity, string expected)
    {
        var e = Assert.Throws<ResourceValidationException>(() => ResourceList.Of(("memory", quantity)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("memory: ", e.Message, StringComparison.Ordinal);
        Assert.Equal("memory", e.ResourceName);
        Assert.Equal(quantity, e.Value);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("memory")]
    [InlineData("nvidia.com/gpu")]
    [InlineData("example.com/specialized-hardware")]
    [InlineData("network_bandwidth")]
    [InlineData("specialized_hardware")]
    [InlineData("a.b")]
    [InlineData("GPU2")]
    public void Accepts_valid_resource_names(string name) => Assert.True(ResourceList.IsValidName(name));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("-cpu")]
    [InlineData("cpu-")]
    [InlineData("Example.com/gpu")]
    [InlineData("example.com/")]
    [InlineData("/gpu")]
    [InlineData("a/b/c")]
    [InlineData("gpu!")]
    [InlineData("ex_ample.com/gpu")]
    public void Rejects_invalid_resource_names(string name)
    {
        Assert.False(ResourceList.IsValidName(name));
        var e = Assert.Throws<ResourceValidationException>(() => ResourceList.Of((name, "1")));
        Assert.Contains($"\"{name}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_resource_counts_as_zero_and_fits_uses_every_resource()
    {
        var capacity = ResourceList.Of(("cpu", "8"), ("memory", "16000"));
        Assert.Equal(0, capacity["gpu"]);
        Assert.True(ResourceList.Of(("cpu", "8")).FitsIn(capacity));
        Assert.False(ResourceList.Of(("cpu", "8001m")).FitsIn(capacity));
        Assert.False(ResourceList.Of(("gpu", "1")).FitsIn(capacity));
        Assert.True(ResourceList.Of(("gpu", "0")).FitsIn(capacity));
        Assert.True(ResourceList.Empty.FitsIn(ResourceList.Empty));
        Assert.Equal(["gpu", "memory"], ResourceList.Of(("gpu", "1"), ("memory", "16001"), ("cpu", "1")).InsufficientIn(capacity));
    }

    [Fact]
    public void Add_and_subtract_are_exact_and_keep_the_union_of_names()
    {
        var a = ResourceList.Of(("cpu", "100m"), ("memory", "1Gi"));
        var b = ResourceList.Of(("cpu", "200m"), ("gpu", "1"));
        var sum = a.Add(b);
        Assert.Equal(300, sum["cpu"]);
        Assert.Equal(1000, sum["gpu"]);
        Assert.Equal(1_073_741_824_000, sum["memory"]);
        var back = sum.Subtract(b);
        Assert.Equal(100, back["cpu"]);
        Assert.Equal(0, back["gpu"]);
        Assert.Equal(a["memory"], back["memory"]);
        var negative = ResourceList.Of(("cpu", "1")).Subtract(ResourceList.Of(("cpu", "3")));
        Assert.Equal(-2000, negative["cpu"]);
        Assert.Equal("cpu=-2", negative.ToString());
    }

    [Fact]
    public void Max_is_per_resource()
    {
        var m = ResourceList.Of(("cpu", "2"), ("memory", "10")).Max(ResourceList.Of(("cpu", "1"), ("gpu", "1")));
        Assert.Equal(ResourceList.Of(("cpu", "2"), ("memory", "10"), ("gpu", "1")), m);
    }

    [Fact]
    public void ToDictionary_formats_quantities_that_round_trip()
    {
        var list = ResourceList.Of(("cpu", "1.5"), ("memory", "16000"), ("gpu", "2"), ("x", "1m"));
        var dict = list.ToDictionary();
        Assert.Equal("1500m", dict["cpu"]);
        Assert.Equal("16000", dict["memory"]);
        Assert.Equal("2", dict["gpu"]);
        Assert.Equal("1m", dict["x"]);
        Assert.Equal("8Gi", ResourceList.FormatMilli(8L * 1024 * 1024 * 1024 * 1000));
        Assert.Equal("512Mi", ResourceList.FormatMilli(512L * 1024 * 1024 * 1000));
        Assert.Equal("4096", ResourceList.FormatMilli(4096L * 1000));
        Assert.Equal("1536Mi", ResourceList.FormatMilli(1536L * 1024 * 1024 * 1000));
        Assert.Equal("-2", ResourceList.FormatMilli(-2000));
        Assert.Equal("0", ResourceList.FormatMilli(0));
        Assert.Equal(list, ResourceList.Parse(dict));
    }

    [Fact]
    public void Equality_is_by_value()
    {
        Assert.Equal(ResourceList.Of(("cpu", "1"), ("memory", "2")), ResourceList.Of(("memory", "2"), ("cpu", "1000m")));
        Assert.Equal(ResourceList.Of(("cpu", "1")).GetHashCode(), ResourceList.Of(("cpu", "1000m")).GetHashCode());
        Assert.NotEqual(ResourceList.Of(("cpu", "1")), ResourceList.Of(("cpu", "2")));
        Assert.True(ResourceList.Of(("cpu", "1")) == ResourceList.Of(("cpu", "1")));
    }

    [Fact]
    public void FromMilli_rejects_negative_values()
    {
        var e = Assert.Throws<ResourceValidationException>(() => ResourceList.FromMilli([KeyValuePair.Create("cpu", -1L)]));
        Assert.Contains("cpu", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_overflow_throws_rather_than_wrapping()
    {
        var big = ResourceList.FromMilli([KeyValuePair.Create("x", long.MaxValue)]);
        Assert.Throws<OverflowException>(() => big.Add(big));
    }
}
