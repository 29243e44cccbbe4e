using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 5: the functions' DAG → each one's dependency state.</summary>
public sealed class DependencyStepTests
{
    private static HandoffFunctionBuilder Succeeded(string name) =>
        TestObjects.Function(name).Status(new() { Phase = "Succeeded", Attempts = 1, PodName = name + "-1", Node = "a", CompletionTime = TestObjects.Epoch.UtcDateTime });

    private static HandoffFunctionBuilder Failed(string name) => TestObjects.Function(name).Status(new()
    {
        Phase = "Failed",
        Attempts = 4,
        Conditions = [new() { Type = "Completed", Status = "True", Reason = Reasons.RetriesExhausted }],
    });

    private static (DependencyStatus Status, string Ids) Of(PurePass pass, string name) =>
        (pass.DependenciesOf(name).Status, string.Join(", ", pass.DependenciesOf(name).Ids));

    [Fact]
    public void A_function_without_args_is_ready()
    {
        var pass = PurePass.Run(new SnapshotBuilder().Function(TestObjects.Function("f")));

        Assert.Same(DependencyState.Ready, pass.DependenciesOf("f"));
    }

    [Fact]
    public void A_function_waits_for_the_args_that_have_not_succeeded()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .Function(Succeeded("done"))
            .Function(TestObjects.Function("running"))
            .Function(TestObjects.Function("f").Args("done", "running"))
            .Function(TestObjects.Function("g").Args("done")));

        Assert.Equal((DependencyStatus.Waiting, "default/running"), Of(pass, "f"));
        Assert.Equal("waiting for args to succeed: running", pass.DependenciesOf("f").Message);
        Assert.Equal(DependencyStatus.Ready, pass.DependenciesOf("g").Status);
    }

    [Fact]
    public void Args_are_looked_up_in_the_functions_namespace()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .Function(Succeeded("src"))
            .Function(TestObjects.Function("f", "other").Args("src")));

        Assert.Equal((DependencyStatus.UnknownReference, "other/src"), Of(pass, "f"));
        Assert.Equal(Reasons.UnknownDependency, pass.DependenciesOf("f").Reason);
    }

    [Fact]
    public void An_unknown_collocation_target_is_an_unknown_reference()
    {
        var pass = PurePass.Run(new SnapshotBuilder().Function(TestObjects.Function("f").CollocateWith("nobody")));

        Assert.Equal(DependencyStatus.UnknownReference, pass.DependenciesOf("f").Status);
        Assert.Equal("unknown collocateWith (no such HandoffFunction in this namespace): nobody", pass.DependenciesOf("f").Message);
    }

    [Fact]
    public void A_cycle_fails_its_members_and_their_dependents_fail_through_it()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .Function(TestObjects.Function("a").Args("b"))
            .Function(TestObjects.Function("b").Args("a"))
            .Function(TestObjects.Function("c").Args("a")));

        Assert.Equal(DependencyStatus.Cycle, pass.DependenciesOf("a").Status);
        Assert.Equal("dependency cycle: a -> b -> a", pass.DependenciesOf("a").Message);
        Assert.Equal((DependencyStatus.DependencyFailed, "default/a"), Of(pass, "c"));
    }

    [Fact]
    public void A_failed_arg_fails_its_dependents_transitively()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .Function(Failed("x"))
            .Function(TestObjects.Function("y").Args("x"))
            .Function(TestObjects.Function("z").Args("y")));

        Assert.Equal((DependencyStatus.DependencyFailed, "default/x"), Of(pass, "y"));
        Assert.Equal((DependencyStatus.DependencyFailed, "default/y"), Of(pass, "z"));
        Assert.Equal("dependency y failed", pass.DependenciesOf("z").Message);
    }

    [Fact]
    public void A_function_whose_spec_cannot_be_used_fails_its_dependents_and_keeps_its_own_edges()
    {
        var pass = PurePass.Run(new SnapshotBuilder()
            .Function(TestObjects.Function("bad").Cost("cpu", "lots").Args("missing"))
            .Function(TestObjects.Function("after").Args("bad")));

        Assert.Equal((DependencyStatus.DependencyFailed, "default/bad"), Of(pass, "after"));
        Assert.Equal((DependencyStatus.UnknownReference, "default/missing"), Of(pass, "bad"));
    }
}
