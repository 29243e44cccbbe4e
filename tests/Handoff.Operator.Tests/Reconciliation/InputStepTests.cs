using Handoff.Api.V1Alpha1;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 5b: what a ready function is handed, within Core's input limits.</summary>
public sealed class InputStepTests
{
    private static SnapshotBuilder OneNode() => new SnapshotBuilder().HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"));

    private static HandoffFunction Succeeded(string name, string result) =>
        TestObjects.Function(name).Status(new HandoffFunctionStatus
        {
            Phase = FunctionPhases.Succeeded,
            Attempts = 1,
            PodName = name + "-1",
            Node = "a",
            Result = result,
            CompletionTime = SnapshotBuilder.Now.UtcDateTime,
        }).Build();

    [Fact]
    public void A_ready_function_is_handed_its_args_results_then_its_extra_args()
    {
        var pass = PurePass.Run(OneNode().Function(Succeeded("x", "6")).Function(Succeeded("y", "7")).Function(TestObjects.Function("f").Args("y", "x").ExtraArgs("2")));

        Assert.Equal(["7", "6", "2"], pass.Inputs["default/f"].Values);
        Assert.Null(pass.Function("f").InputProblem);
        Assert.Contains("default/f", pass.Scheduling.Offered.Keys);
    }

    [Fact]
    public void Results_too_large_together_fail_the_function_before_it_is_offered()
    {
        var snapshot = OneNode();
        var args = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            snapshot.Function(Succeeded($"big-{i}", new string('r', 4096)));
            args.Add($"big-{i}");
        }

        var pass = PurePass.Run(snapshot.Function(TestObjects.Function("join").Cost("cpu", "1").Args([.. args])));
        var join = pass.Function("join");

        Assert.StartsWith("HANDOFF_ARGS would be 163961 bytes (40 result(s) of args, 0 extraArgs), more than the 131058 allowed", join.InputProblem, StringComparison.Ordinal);
        Assert.DoesNotContain("default/join", pass.Inputs.Keys);
        Assert.DoesNotContain("default/join", pass.Scheduling.Offered.Keys);
        Assert.Empty(pass.Term.Tracker.Allocations());

        var report = StatusReportStep.For(join, pass.DependenciesOf("join"), null, null, 0, null, null, false, SnapshotBuilder.Now, false)!;
        Assert.Equal((FunctionPhase.Failed, Reasons.InputTooLarge, join.InputProblem), (report.Phase, report.Reason, report.Message));
        Assert.Equal(("Warning", Reasons.InputTooLarge), (report.Event!.Type, report.Event.Reason));
    }

    [Fact]
    public void Functions_that_are_not_ready_are_not_checked()
    {
        var pass = PurePass.Run(OneNode().Function(TestObjects.Function("src")).Function(TestObjects.Function("f").Args("src").ExtraArgs(new string('x', 200_000))));

        Assert.Equal(DependencyStatus.Waiting, pass.DependenciesOf("f").Status);
        Assert.Null(pass.Function("f").InputProblem);
    }
}
