namespace Handoff.Api.Tests;

/// <summary>The one Go duration parser: the sandbox kubelet's annotation, <c>handoff</c>'s flags and the planner's annotation.</summary>
public sealed class GoDurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1500ms", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData(".5s", 500)]
    [InlineData(" 2s ", 2_000)]
    public void Parses_go_durations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
    }

    [Theory]
    [InlineData("1us", 10)]
    [InlineData("1µs", 10)]
    [InlineData("100ns", 1)]
    [InlineData("150ns", 2)] // a part of a tick rounds up: a duration never shrinks to nothing
    [InlineData("1ms1us", 10_010)]
    public void Sub_millisecond_units_are_exact_to_the_tick(string text, long ticks)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromTicks(ticks), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("5")]
    [InlineData("-1s")]
    [InlineData("1d")]
    [InlineData("s")]
    [InlineData("abc")]
    [InlineData("1 s")]
    [InlineData("1.2.3s")]
    [InlineData("99999999999999999999h")]
    public void Rejects_other_text(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Fact]
    public void Null_is_not_a_duration() => Assert.False(GoDuration.TryParse(null, out _));
}
