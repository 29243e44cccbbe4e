using Handoff.Cli.Planning;

namespace Handoff.Cli.Tests;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1500ms", 1_500)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData(".5s", 500)]
    public void Parses_go_durations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("-1s")]
    [InlineData("1d")]
    [InlineData("s")]
    [InlineData("1.2.3s")]
    [InlineData("99999999999999999999h")]
    public void Rejects_other_text(string text) => Assert.False(GoDuration.TryParse(text, out _));
}
