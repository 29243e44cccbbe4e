using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Reconciliation;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>How a function's status is read back as the record the lifecycle reads.</summary>
public sealed class FunctionViewTests
{
    private static readonly DateTime T = new(2026, 1, 1, 0, 0, 10, DateTimeKind.Utc);

    private static HandoffCondition Condition(string type, bool status, string reason) =>
        new() { Type = type, Status = status ? ConditionStatus.True : ConditionStatus.False, Reason = reason };

    [Fact]
    public void No_status_is_the_empty_record() => Assert.Equal(StatusRecord.Empty, FunctionView.RecordOf(null));

    [Fact]
    public void The_fields_are_read_as_they_are_with_times_in_UTC()
    {
        var record = FunctionView.RecordOf(new HandoffFunctionStatus
        {
            Phase = "Succeeded",
            Attempts = 2,
            PodName = "f-2",
            Node = "a",
            Result = "42",
            Message = "m",
            RetryAfter = T,
            StartTime = T.AddSeconds(1),
            CompletionTime = T.AddSeconds(2),
            Conditions = [Condition(ConditionTypes.Scheduled, true, Reasons.Scheduled), Condition(ConditionTypes.Completed, true, Reasons.Succeeded)],
        });

        Assert.Equal(
            new StatusRecord
            {
                Phase = FunctionPhase.Succeeded,
                Attempts = 2,
                PodName = "f-2",
                Node = "a",
                Result = "42",
                Reason = Reasons.Succeeded,
                Message = "m",
                RetryAfter = new DateTimeOffset(T),
                StartTime = new DateTimeOffset(T.AddSeconds(1)),
                CompletionTime = new DateTimeOffset(T.AddSeconds(2)),
            },
            record);
    }

    [Theory]
    [InlineData(Reasons.Preempted)]
    [InlineData(Reasons.NodeRejected)]
    [InlineData(Reasons.Retrying)]
    public void The_reason_is_the_Scheduled_conditions_when_it_says_why_an_attempt_is_made_again(string reason)
    {
        var record = FunctionView.RecordOf(new HandoffFunctionStatus
        {
            Phase = "Pending",
            Conditions = [Condition(ConditionTypes.Scheduled, false, reason), Condition(ConditionTypes.Completed, false, "Pending")],
        });

        Assert.Equal(reason, record.Reason);
    }

    [Fact]
    public void Otherwise_the_reason_is_the_Completed_conditions_once_it_is_true()
    {
        static string? ReasonOf(string scheduled, bool completed, string completedReason) => FunctionView.RecordOf(new HandoffFunctionStatus
        {
            Conditions = [Condition(ConditionTypes.Scheduled, false, scheduled), Condition(ConditionTypes.Completed, completed, completedReason)],
        }).Reason;

        Assert.Equal(Reasons.DependencyFailed, ReasonOf(Reasons.DependencyFailed, true, Reasons.DependencyFailed));
        Assert.Null(ReasonOf(Reasons.FailedScheduling, false, "Pending"));
    }

    [Theory]
    [InlineData("succeeded")]
    [InlineData("Done")]
    [InlineData("")]
    public void An_unknown_phase_or_negative_attempts_read_as_none(string phase)
    {
        var record = FunctionView.RecordOf(new HandoffFunctionStatus { Phase = phase, Attempts = -3 });

        Assert.Equal((null, 0), (record.Phase, record.Attempts));
    }
}
