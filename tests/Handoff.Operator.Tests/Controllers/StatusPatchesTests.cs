using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;

namespace Handoff.Operator.Tests.Controllers;

public sealed class StatusPatchesTests
{
    [Fact]
    public void Conditions_keep_lastTransitionTime_unless_their_status_changes()
    {
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var t1 = t0.AddMinutes(5);
        var current = new List<HandoffCondition>
        {
            new() { Type = "Scheduled", Status = "False", Reason = "FailedScheduling", Message = "a", LastTransitionTime = t0 },
            new() { Type = "Completed", Status = "False", Reason = "Pending", LastTransitionTime = t0 },
        };
        var merged = StatusPatches.MergeConditions(current,
        [
            new HandoffCondition { Type = "Scheduled", Status = "False", Reason = "FailedScheduling", Message = "b" },
            new HandoffCondition { Type = "Completed", Status = "True", Reason = "Succeeded" },
        ], t1, 3);
        Assert.Equal(t0, merged[0].LastTransitionTime);
        Assert.Equal("b", merged[0].Message);
        Assert.Equal(t1, merged[1].LastTransitionTime);
        Assert.All(merged, c => Assert.Equal(3, c.ObservedGeneration));
    }
}
