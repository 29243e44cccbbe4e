using Handoff.Operator.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Scenarios;

/// <summary>The lease fence: a replica may write only while its last renewal is younger than the renew deadline.</summary>
public sealed class LeaseFenceTests
{
    [Fact]
    public void Without_leader_election_the_fence_is_always_open()
    {
        var loop = new LeadershipLoop(null!, new OperatorOptions { LeaderElect = false }, new FakeTimeProvider(), NullLogger<LeadershipLoop>.Instance);
        Assert.True(loop.IsFresh);
        loop.ThrowIfStale();
    }

    [Fact]
    public void With_leader_election_a_replica_that_is_not_leading_may_not_write()
    {
        var loop = new LeadershipLoop(null!, new OperatorOptions { LeaderElect = true }, new FakeTimeProvider(), NullLogger<LeadershipLoop>.Instance);
        Assert.False(loop.IsFresh);
        Assert.Throws<LeaseLostException>(loop.ThrowIfStale);
    }
}
