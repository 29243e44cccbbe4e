using Handoff.Core.Lifecycle;

namespace Handoff.Core.Tests.Lifecycle;

/// <summary>A status record's times, kept as UTC instants.</summary>
public sealed class StatusRecordTests
{
    [Fact]
    public void Times_are_kept_as_instants_in_UTC_and_absent_ones_as_null()
    {
        var start = new DateTimeOffset(2026, 12, 2, 17, 0, 0, TimeSpan.FromHours(2));
        var record = new StatusRecord { StartTime = start, RetryAfter = start.AddSeconds(1.5) };

        Assert.Equal(start, record.StartTime); // the same instant
        Assert.Equal(TimeSpan.Zero, record.StartTime!.Value.Offset);
        Assert.Equal(new DateTime(2026, 12, 2, 15, 0, 1, 500, DateTimeKind.Utc), record.RetryAfter!.Value.UtcDateTime);
        Assert.Null(record.CompletionTime);
        Assert.Null(StatusRecord.Empty.StartTime);
        Assert.Null((record with { StartTime = null }).StartTime);
        Assert.Equal(DateTimeOffset.MinValue, new StatusRecord { CompletionTime = DateTimeOffset.MinValue }.CompletionTime);
    }

    [Fact]
    public void Records_of_the_same_instants_are_equal_whatever_the_offset_they_were_given_in()
    {
        var utc = new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero);
        var a = new StatusRecord { Phase = FunctionPhase.Succeeded, CompletionTime = utc };
        var b = new StatusRecord { Phase = FunctionPhase.Succeeded, CompletionTime = utc.ToOffset(TimeSpan.FromHours(-5)) };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { CompletionTime = utc.AddTicks(1) });
        Assert.NotEqual(a, b with { CompletionTime = null });
    }
}
