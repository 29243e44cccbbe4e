using System.Reflection;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Handoff.Operator.Tests.Unit;

public sealed class LogTests
{
    /// <summary>Every [LoggerMessage] method of <see cref="Log"/>, by event id.</summary>
    internal static IReadOnlyList<(string Name, int Id, LogLevel Level, string Message)> Messages { get; } =
        [.. typeof(Log).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => (m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Name, m.Attribute!.EventId, m.Attribute.Level, m.Attribute.Message))
            .OrderBy(m => m.EventId)];

    [Fact]
    public void Event_ids_are_unique_and_in_the_groups_of_Log()
    {
        Assert.True(Messages.Count >= 20, $"only {Messages.Count} log messages found");
        Assert.Equal(Messages.Count, Messages.Select(m => m.Id).Distinct().Count());
        Assert.All(Messages, m => Assert.InRange(m.Id, 100, 699));
        Assert.All(Messages.Where(m => m.Name.StartsWith("Metrics", StringComparison.Ordinal)), m => Assert.InRange(m.Id, 600, 699));
        Assert.All(Messages.Where(m => m.Name.StartsWith("Function", StringComparison.Ordinal)), m => Assert.InRange(m.Id, 100, 199));
        Assert.All(Messages.Where(m => m.Name.Contains("Lease", StringComparison.Ordinal) || m.Name.Contains("Leader", StringComparison.Ordinal)), m => Assert.InRange(m.Id, 400, 499));
        Assert.All(Messages.Where(m => m.Name.StartsWith("Watch", StringComparison.Ordinal)), m => Assert.InRange(m.Id, 500, 599));
    }

    [Theory]
    [InlineData(FunctionPhases.Waiting, Reasons.WaitingForDependencies, 100, LogLevel.Debug)]
    [InlineData(FunctionPhases.Pending, Reasons.FailedScheduling, 101, LogLevel.Debug)]
    [InlineData(FunctionPhases.Pending, Reasons.Unschedulable, 101, LogLevel.Debug)]
    [InlineData(FunctionPhases.Scheduled, "", 102, LogLevel.Debug)]
    [InlineData(FunctionPhases.Running, "", 103, LogLevel.Debug)]
    [InlineData(FunctionPhases.Succeeded, Reasons.Succeeded, 104, LogLevel.Information)]
    [InlineData(FunctionPhases.Pending, Reasons.Retrying, 105, LogLevel.Information)]
    [InlineData(FunctionPhases.Failed, Reasons.RetriesExhausted, 106, LogLevel.Information)]
    [InlineData(FunctionPhases.Failed, Reasons.DependencyCycle, 106, LogLevel.Information)]
    public void A_function_state_is_logged_with_the_id_and_level_of_its_decision(string phase, string reason, int id, LogLevel level)
    {
        var log = new LogRecorder();
        Log.FunctionState(log, "ns/f", phase, reason, "node-1", "the message");
        var line = Assert.Single(log.Lines);
        Assert.Equal((id, level), (line.EventId.Id, line.Level));
        Assert.Equal(Messages.Single(m => m.Id == id).Name, line.EventId.Name);
        Assert.Contains("ns/f", line.Message, StringComparison.Ordinal);
        if (phase is FunctionPhases.Scheduled or FunctionPhases.Running or FunctionPhases.Succeeded)
        {
            Assert.Contains("node-1", line.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("the message", line.Message, StringComparison.Ordinal);
        }

        if (phase is FunctionPhases.Pending or FunctionPhases.Failed or FunctionPhases.Waiting && reason != Reasons.Retrying)
        {
            Assert.Contains($"({reason})", line.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Debug_lines_are_dropped_at_level_Information()
    {
        var log = new LogRecorder(LogLevel.Information);
        Log.FunctionState(log, "ns/f", FunctionPhases.Pending, Reasons.FailedScheduling, "", "0/3 nodes are available");
        Log.FunctionState(log, "ns/f", FunctionPhases.Failed, Reasons.RetriesExhausted, "", "attempt 3 failed");
        Assert.Equal([106], log.Lines.Select(l => l.EventId.Id));
    }
}
