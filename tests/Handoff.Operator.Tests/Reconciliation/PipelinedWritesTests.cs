using System.Collections.Concurrent;
using Handoff.Operator.Reconciliation;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>A pass's pipelined status writes: a few slots beside its actions, all of them once the actions are done.</summary>
public sealed class PipelinedWritesTests
{
    [Fact]
    public async Task Writes_run_beside_the_actions_in_their_own_slots_and_in_all_of_them_once_completed()
    {
        var errors = new ConcurrentBag<Exception>();
        var writes = new PipelinedWrites(2, errors, TestContext.Current.CancellationToken);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        var most = 0;
        var started = new SemaphoreSlim(0);
        for (var i = 0; i < 8; i++)
        {
            writes.Add(async _ =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                started.Release();
                await release.Task;
                Interlocked.Decrement(ref running);
            });
        }

        // Two slots while the pass acts.
        await started.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await started.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(await started.WaitAsync(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));
        Assert.Equal(2, Volatile.Read(ref running));

        // The actions are done: the six waiting writes take the pass's eight slots at once.
        var done = writes.CompleteAsync(8);
        for (var i = 0; i < 6; i++)
        {
            Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        }

        Assert.Equal(8, Volatile.Read(ref most));
        release.SetResult();
        await done.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Completing_with_nothing_queued_runs_nothing()
    {
        var writes = new PipelinedWrites(2, [], TestContext.Current.CancellationToken);
        await writes.CompleteAsync(8).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
