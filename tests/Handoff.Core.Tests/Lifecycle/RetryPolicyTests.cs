using Handoff.Core.Lifecycle;

namespace Handoff.Core.Tests.Lifecycle;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Retry_backoff_is_10s_doubling_capped_at_5_minutes()
    {
        var initial = TimeSpan.FromSeconds(10);
        var max = TimeSpan.FromMinutes(5);
        var retry = new RetryPolicy(3) { InitialBackoff = initial, MaxBackoff = max };
        Assert.Equal(TimeSpan.FromSeconds(10), retry.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(20), retry.Backoff(2));
        Assert.Equal(TimeSpan.FromSeconds(160), retry.Backoff(5));
        Assert.Equal(TimeSpan.FromMinutes(5), retry.Backoff(6));
        Assert.Equal(TimeSpan.FromMinutes(5), retry.Backoff(1000));
    }

    [Fact]
    public void A_failed_attempt_is_retried_while_its_number_is_at_most_maxRetries()
    {
        var retry = new RetryPolicy(3);
        Assert.True(retry.Retries(1));
        Assert.True(retry.Retries(3));
        Assert.False(retry.Retries(4));
        Assert.False(new RetryPolicy(0).Retries(1));
    }
}
