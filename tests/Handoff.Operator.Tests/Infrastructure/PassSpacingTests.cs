using Handoff.Operator.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Infrastructure;

public sealed class PassSpacingTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void The_first_pass_starts_at_once()
    {
        var spacing = new PassSpacing(new FakeTimeProvider(), Interval);

        Assert.Equal(TimeSpan.Zero, spacing.WaitBeforeNext());
    }

    [Fact]
    public void A_pass_asked_for_within_the_interval_waits_out_the_rest_of_it()
    {
        var time = new FakeTimeProvider();
        var spacing = new PassSpacing(time, Interval);
        spacing.NoteStart();

        time.Advance(TimeSpan.FromMilliseconds(4));

        Assert.Equal(TimeSpan.FromMilliseconds(6), spacing.WaitBeforeNext());
    }

    [Fact]
    public void A_pass_that_took_longer_than_the_interval_is_followed_at_once()
    {
        var time = new FakeTimeProvider();
        var spacing = new PassSpacing(time, Interval);
        spacing.NoteStart();

        time.Advance(TimeSpan.FromMilliseconds(25));

        Assert.Equal(TimeSpan.Zero, spacing.WaitBeforeNext());
        spacing.NoteStart();
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(9), spacing.WaitBeforeNext());
    }

    [Fact]
    public void Zero_runs_passes_back_to_back()
    {
        var time = new FakeTimeProvider();
        var spacing = new PassSpacing(time, TimeSpan.Zero);
        spacing.NoteStart();

        Assert.Equal(TimeSpan.Zero, spacing.WaitBeforeNext());
    }
}
