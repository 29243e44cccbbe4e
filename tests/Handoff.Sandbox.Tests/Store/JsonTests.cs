using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Tests.Store;

/// <summary>JSON helpers of the store.</summary>
public sealed class JsonTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(150, "2m30s")]
    [InlineData(900, "15m")]
    [InlineData(4 * 3600 + 600, "4h10m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 7200, "3d2h")]
    [InlineData(40 * 86400, "40d")]
    public void Ages_print_like_kubectl(int seconds, string expected) => Assert.Equal(expected, Jn.HumanDuration(TimeSpan.FromSeconds(seconds)));
}
