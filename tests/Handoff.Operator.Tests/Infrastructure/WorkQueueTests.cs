using Handoff.Operator.Infrastructure;
using Handoff.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Infrastructure;

public sealed class WorkQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Duplicates_are_queued_once_in_order()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        q.Add("a");
        q.Add("b");
        q.Add("a");
        Assert.Equal(2, q.Count);
        Assert.Equal("a", (await q.GetAsync(Ct)).Item);
        Assert.Equal("b", (await q.GetAsync(Ct)).Item);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task A_key_added_while_processing_is_requeued_after_Done_never_handed_out_twice()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        q.Add("a");
        var (item, _) = await q.GetAsync(Ct);
        q.Add("a");
        q.Add("a");
        Assert.Equal(0, q.Count);
        var second = q.GetAsync(Ct);
        Assert.False(second.IsCompleted);
        q.Done(item!);
        Assert.Equal("a", (await second.WaitAsync(TimeSpan.FromSeconds(5), Ct)).Item);
    }

    [Fact]
    public async Task Concurrent_workers_never_process_the_same_key_at_once()
    {
        using var q = new WorkQueue<int>(TimeProvider.System);
        var active = new int[5];
        var violations = 0;
        var processed = 0;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (key, ok) = await q.GetAsync(cts.Token);
                if (!ok)
                {
                    return;
                }

                if (Interlocked.Increment(ref active[key]) > 1)
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Yield();
                Interlocked.Decrement(ref active[key]);
                Interlocked.Increment(ref processed);
                q.Done(key);
            }
        }, cts.Token)).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            q.Add(i % 5);
        }

        await Wait.UntilAsync(() => q.Count == 0 && Volatile.Read(ref processed) > 0, "the queue drains");
        q.ShutDown();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0, violations);
    }

    [Fact]
    public async Task AddAfter_waits_for_the_clock_and_the_earliest_time_wins()
    {
        var time = new FakeTimeProvider();
        using var q = new WorkQueue<string>(time);
        q.AddAfter("a", TimeSpan.FromSeconds(10));
        q.AddAfter("a", TimeSpan.FromSeconds(3));
        q.AddAfter("a", TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, q.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, q.Count);
        Assert.Equal("a", (await q.GetAsync(Ct)).Item);
        q.Done("a");
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Rate_limited_requeue_backs_off_exponentially_capped_until_Forget()
    {
        var time = new FakeTimeProvider();
        using var q = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        Assert.Equal(TimeSpan.FromMilliseconds(5), q.Backoff(0));
        Assert.Equal(TimeSpan.FromMilliseconds(10), q.Backoff(1));
        Assert.Equal(TimeSpan.FromMilliseconds(5 * 1024), q.Backoff(10));
        Assert.Equal(TimeSpan.FromSeconds(1000), q.Backoff(30));
        Assert.Equal(TimeSpan.FromSeconds(1000), q.Backoff(5000));

        q.AddRateLimited("a");
        q.AddRateLimited("a");
        q.AddRateLimited("a");
        Assert.Equal(3, q.NumRequeues("a"));
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, q.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, q.Count);
        q.Forget("a");
        Assert.Equal(0, q.NumRequeues("a"));
    }

    [Fact]
    public async Task ShutDown_releases_waiting_getters_and_refuses_new_items()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        var waiting = q.GetAsync(Ct);
        q.ShutDown();
        var (_, ok) = await waiting.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.False(ok);
        q.Add("a");
        Assert.Equal(0, q.Count);
    }
}
