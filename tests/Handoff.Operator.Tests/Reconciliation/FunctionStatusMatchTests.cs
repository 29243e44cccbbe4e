using System.Reflection;
using CsCheck;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Controllers;
using Handoff.Operator.Reconciliation;
using k8s;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// <see cref="FunctionStatusMatch"/>: a status the writer wrote (as the cache holds it, after JSON) shows its report;
/// any field that differs is noticed; and whenever it says "shows", writing the report would change nothing.
/// </summary>
public sealed class FunctionStatusMatchTests
{
    private static readonly DateTime Now = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);

    private static FunctionReport Report(
        FunctionPhase phase = FunctionPhase.Running, string? node = "n1", string? pod = "f-1", int attempts = 1, string? result = null,
        string? message = "pod f-1 bound to node n1", DateTimeOffset? retryAfter = null, int? queuePosition = null,
        DateTimeOffset? start = null, DateTimeOffset? completion = null, bool ready = true, bool scheduled = true, bool completed = false) => new(phase)
        {
            Node = node,
            PodName = pod,
            Attempts = attempts,
            Result = result,
            Message = message,
            RetryAfter = retryAfter,
            QueuePosition = queuePosition,
            StartTime = start,
            CompletionTime = completion,
            DependenciesReady = new ConditionReport(ConditionTypes.DependenciesReady, ready, ready ? "DependenciesReady" : "Waiting", "no args"),
            Scheduled = new ConditionReport(ConditionTypes.Scheduled, scheduled, scheduled ? "Scheduled" : "Unschedulable", message),
            Completed = new ConditionReport(ConditionTypes.Completed, completed, completed ? "Succeeded" : "NotFinished", null),
        };

    /// <summary>What the cache holds after the writer wrote <paramref name="report"/>: its status, through the API's JSON.</summary>
    private static HandoffFunctionStatus Written(FunctionReport report, long? generation = 2, HandoffFunctionStatus? before = null) =>
        KubernetesJson.Deserialize<HandoffFunctionStatus>(KubernetesJson.Serialize(StatusWriter.ToStatus(report, before, generation, Now)));

    private static bool WritingChangesNothing(HandoffFunctionStatus current, FunctionReport report, long? generation) =>
        MergePatches.Diff(StatusPatches.ToJson(current), StatusPatches.ToJson(StatusWriter.ToStatus(report, current, generation, Now.AddMinutes(5)))) is null;

    [Fact]
    public void A_written_status_read_back_shows_its_report_times_included()
    {
        var report = Report(start: new DateTimeOffset(Now.AddSeconds(-30)), retryAfter: new DateTimeOffset(Now.AddSeconds(10)));
        var status = Written(report);
        Assert.True(FunctionStatusMatch.Shows(status, report, 2));
        Assert.True(WritingChangesNothing(status, report, 2));
        Assert.False(FunctionStatusMatch.Shows(status, report, 3));
        Assert.False(FunctionStatusMatch.Shows(null, report, 2));
    }

    [Fact]
    public void Every_field_of_the_status_and_of_its_conditions_is_compared()
    {
        var report = Report(start: new DateTimeOffset(Now), queuePosition: 4, result: "42", completion: new DateTimeOffset(Now), retryAfter: new DateTimeOffset(Now));
        foreach (var property in typeof(HandoffFunctionStatus).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var status = Written(report);
            Assert.True(FunctionStatusMatch.Shows(status, report, 2));
            property.SetValue(status, Other(property.PropertyType, property.GetValue(status)));
            Assert.False(FunctionStatusMatch.Shows(status, report, 2), $"status.{property.Name} changed, and the status still shows the report");
        }

        foreach (var property in typeof(HandoffCondition).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            for (var i = 0; i < 3; i++)
            {
                var status = Written(report);
                var condition = status.Conditions![i];
                property.SetValue(condition, property.Name == nameof(HandoffCondition.LastTransitionTime) ? null : Other(property.PropertyType, property.GetValue(condition)));
                Assert.False(FunctionStatusMatch.Shows(status, report, 2), $"conditions[{i}].{property.Name} changed, and the status still shows the report");
            }
        }
    }

    [Fact]
    public void Whenever_a_status_shows_a_report_writing_the_report_would_change_nothing()
    {
        var genTime = Gen.OneOf(
            Gen.Const((DateTimeOffset?)null),
            Gen.Int[-100, 100].Select(s => (DateTimeOffset?)new DateTimeOffset(Now.AddSeconds(s))),
            Gen.Int[-100_000, 100_000].Select(ms => (DateTimeOffset?)new DateTimeOffset(Now.AddMilliseconds(ms))));
        var genReport = Gen.Select(
            Gen.Enum<FunctionPhase>(), Gen.OneOfConst<string?>(null, "n1", "n2"), Gen.Int[0, 2], Gen.OneOfConst<string?>(null, "a", "b"),
            Gen.Select(genTime, genTime, Gen.OneOfConst<int?>(null, 1, 2), Gen.Bool, Gen.Bool, Gen.Bool),
            (phase, node, attempts, message, rest) => Report(
                phase, node, node is null ? null : "f-1", attempts, null, message, rest.Item1, rest.Item3, rest.Item2, null, rest.Item4, rest.Item5, rest.Item6));
        var shown = 0;
        Gen.Select(genReport, genReport, Gen.Bool, Gen.OneOfConst<long?>(2, 2, 1)).Sample((writtenReport, other, same, generation) =>
        {
            // Half the time the report is the one written (the common case: nothing changed).
            var report = same ? writtenReport : other;
            var status = Written(writtenReport, 2);
            var shows = FunctionStatusMatch.Shows(status, report, generation);
            if (shows)
            {
                Interlocked.Increment(ref shown);
            }

            return !shows || WritingChangesNothing(status, report, generation);
        }, iter: 2000, threads: 1);
        Assert.True(shown > 200, $"only {shown} of 2,000 cases showed their report: the property was hardly tested");
    }

    private static object? Other(Type type, object? value) => type switch
    {
        _ when type == typeof(string) => value is "x" ? "y" : "x",
        _ when type == typeof(int) => (int)value! + 1,
        _ when type == typeof(int?) => value is int i ? i + 1 : 1,
        _ when type == typeof(long?) => value is long l ? l + 1 : 1L,
        _ when type == typeof(DateTime?) => value is DateTime d ? d.AddSeconds(1) : Now,
        _ when type == typeof(IList<HandoffCondition>) => new List<HandoffCondition>(),
        _ => throw new InvalidOperationException($"no other value for {type}: add one so the new field is covered"),
    };
}
