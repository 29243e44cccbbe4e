using Handoff.Operator.Infrastructure;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Infrastructure;

/// <summary>When the operator gives memory back: only after a quiet period, only when enough was allocated since the last trim.</summary>
public sealed class IdleMemoryTrimTests
{
    private const long MiB = 1024 * 1024;

    private sealed class Process
    {
        public long Allocated { get; set; } = 100 * MiB;

        public int Collections { get; set; }
    }

    private static (IdleMemoryTrim Trim, FakeTimeProvider Time, Process Process) Start(TimeSpan quiet)
    {
        var time = new FakeTimeProvider();
        var process = new Process();
        return (new IdleMemoryTrim(time, quiet, () => process.Allocated, () => process.Collections++), time, process);
    }

    [Fact]
    public void Trims_once_after_the_quiet_period_and_not_again_until_enough_is_allocated()
    {
        var (trim, time, process) = Start(TimeSpan.FromSeconds(10));
        Assert.False(trim.TrimIfDue()); // just started: not quiet yet
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(trim.TrimIfDue());
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(trim.TrimIfDue());
        Assert.Equal((1, 1), (process.Collections, trim.Trims));

        // Still quiet, but nothing (or too little) allocated since: no second collection.
        time.Advance(TimeSpan.FromMinutes(5));
        process.Allocated += IdleMemoryTrim.MinimumAllocatedBytes - 1;
        Assert.False(trim.TrimIfDue());
        process.Allocated += 1;
        Assert.True(trim.TrimIfDue());
        Assert.Equal(2, process.Collections);
    }

    [Fact]
    public void Activity_restarts_the_quiet_period()
    {
        var (trim, time, process) = Start(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(6));
            trim.NoteActivity(); // a watch event or a pass every 6 s: never quiet for 10
            Assert.False(trim.TrimIfDue());
        }

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(trim.TrimIfDue());
        Assert.Equal(1, process.Collections);
    }

    [Fact]
    public async Task A_zero_period_never_trims_and_its_loop_returns_at_once()
    {
        var (trim, time, process) = Start(TimeSpan.Zero);
        time.Advance(TimeSpan.FromHours(1));
        Assert.False(trim.IsDue());
        await trim.RunAsync(null, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(0, process.Collections);
    }

    [Fact]
    public async Task The_loop_trims_when_due_and_reports_each_trim()
    {
        var (trim, time, process) = Start(TimeSpan.FromSeconds(10));
        using var stop = new CancellationTokenSource();
        var reported = 0;
        var loop = trim.RunAsync(_ => Interlocked.Increment(ref reported), stop.Token);

        // The loop waits on the (fake) clock: each poll moves it a second until the loop has checked past the quiet period.
        Task AdvanceUntilReportedAsync(int trims, string what) => Wait.UntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return Volatile.Read(ref reported) == trims;
            },
            what, TimeSpan.FromSeconds(10));

        await AdvanceUntilReportedAsync(1, "one trim reported");
        Assert.Equal(1, process.Collections);

        process.Allocated += IdleMemoryTrim.MinimumAllocatedBytes;
        await AdvanceUntilReportedAsync(2, "a second trim once enough was allocated");
        Assert.Equal(2, process.Collections);
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_idle_operator_gives_memory_back_and_counts_it()
    {
        await using var cluster = await SandboxCluster.StartAsync(["trim-node"]);
        await cluster.CreateNodeAsync("trim-node", new Dictionary<string, string> { ["cpu"] = "1" });
        var op = await cluster.StartOperatorAsync(new OperatorOptions { IdleMemoryTrim = TimeSpan.FromMilliseconds(300) });
        await Wait.UntilAsync(() => op.Operator.Passes > 0, "a first pass");
        // The test process allocated far more than the threshold since it started; once the operator is quiet, it trims.
        var metrics = op.Services.GetRequiredService<OperatorMetrics>();
        await Wait.UntilAsync(() => metrics.MemoryTrims.Value >= 1, "an idle trim, counted", TimeSpan.FromSeconds(30));
        Assert.True(op.Operator.MemoryTrim.Trims >= 1);
    }
}
