using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>Step 4b: which finished functions' pods are collected, which functions' TTL ran out, what the pass sets aside.</summary>
public sealed class FinishedWorkStepTests
{
    private static readonly DateTimeOffset Now = SnapshotBuilder.Now;
    private static readonly DateTimeOffset Completed = Now.AddMinutes(-10);
    private static readonly FinishedWorkDefaults Keep = new(PodGCPolicies.Never, null);

    private static SnapshotBuilder OneNode() => new SnapshotBuilder().At(Now).HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "4"));

    private static HandoffFunction Finished(string name, string phase, int attempts = 1, string? podGC = null, int? ttl = null, params string[] args)
    {
        var f = TestObjects.Function(name).Args(args).Status(new HandoffFunctionStatus
        {
            Phase = phase,
            Attempts = attempts,
            PodName = $"{name}-{attempts}",
            Node = "a",
            Result = phase == FunctionPhases.Succeeded ? "42" : null,
            Message = phase == FunctionPhases.Failed ? "pod failed" : null,
            CompletionTime = Completed.UtcDateTime,
            Conditions = [new HandoffCondition { Type = ConditionTypes.Completed, Status = ConditionStatus.True, Reason = phase == FunctionPhases.Failed ? Reasons.RetriesExhausted : Reasons.Succeeded }],
        }).Build();
        f.Spec.PodGC = podGC;
        f.Spec.TtlSecondsAfterFinished = ttl;
        return f;
    }

    private static FinishedWork Decide(SnapshotBuilder snapshot, FinishedWorkDefaults? defaults = null) =>
        FinishedWorkStep.Decide(PurePass.Run(snapshot).Functions, defaults ?? Keep, Now);

    [Theory]
    [InlineData(PodGCPolicies.Never, FunctionPhases.Succeeded, false)]
    [InlineData(PodGCPolicies.OnSuccess, FunctionPhases.Succeeded, true)]
    [InlineData(PodGCPolicies.OnCompletion, FunctionPhases.Succeeded, true)]
    [InlineData(PodGCPolicies.Never, FunctionPhases.Failed, false)]
    [InlineData(PodGCPolicies.OnSuccess, FunctionPhases.Failed, false)]
    [InlineData(PodGCPolicies.OnCompletion, FunctionPhases.Failed, true)]
    public void PodGC_collects_the_pods_of_a_recorded_outcome_as_the_policy_says(string policy, string phase, bool collected)
    {
        var f = Finished("f", phase, attempts: 2, podGC: policy);
        var second = TestObjects.PodOf(f, 2).PlacedOn("a");
        var work = Decide(OneNode().Function(f)
            .Pod(TestObjects.PodOf(f, 1).PlacedOn("a").Failed())
            .Pod(phase == FunctionPhases.Succeeded ? second.Succeeded("42") : second.Failed()));

        Assert.Equal(collected ? ["f-1", "f-2"] : [], work.Pods.Select(p => p.Pod.Attempt.Name).Order(StringComparer.Ordinal));
        Assert.All(work.Pods, p => Assert.Equal(policy, p.Policy));
        Assert.Empty(work.Expired);
    }

    [Fact]
    public void The_operator_default_applies_to_functions_that_name_no_policy_and_a_named_one_wins()
    {
        var byDefault = Finished("by-default", FunctionPhases.Succeeded);
        var never = Finished("never", FunctionPhases.Succeeded, podGC: PodGCPolicies.Never);
        var work = Decide(
            OneNode().Function(byDefault).Function(never)
                .Pod(TestObjects.PodOf(byDefault).PlacedOn("a").Succeeded("42"))
                .Pod(TestObjects.PodOf(never).PlacedOn("a").Succeeded("42")),
            new FinishedWorkDefaults(PodGCPolicies.OnCompletion, null));

        Assert.Equal(["by-default-1"], work.Pods.Select(p => p.Pod.Attempt.Name));
    }

    [Fact]
    public void A_pod_whose_outcome_is_not_in_the_status_yet_is_never_collected()
    {
        // The pod Succeeded but the status still says Running: the result is only in the pod.
        var f = TestObjects.Function("f").Status(new HandoffFunctionStatus { Phase = FunctionPhases.Running, Attempts = 1, PodName = "f-1", Node = "a" }).Build();
        f.Spec.PodGC = PodGCPolicies.OnCompletion;
        f.Spec.TtlSecondsAfterFinished = 0;
        var work = Decide(OneNode().Function(f).Pod(TestObjects.PodOf(f).PlacedOn("a").Succeeded("42")));

        Assert.Empty(work.Pods);
        Assert.Empty(work.Expired);
        Assert.Equal(["f"], work.InPass.Select(v => v.Name));
    }

    [Fact]
    public void Live_and_already_terminating_pods_are_not_collected()
    {
        // A terminal record with a live pod of an older attempt (the record stands): that pod is not touched.
        var f = Finished("f", FunctionPhases.Succeeded, attempts: 2, podGC: PodGCPolicies.OnCompletion);
        var work = Decide(OneNode().Function(f)
            .Pod(TestObjects.PodOf(f, 1).PlacedOn("a").Running())
            .Pod(TestObjects.PodOf(f, 2).PlacedOn("a").Succeeded("42").Terminating()));

        Assert.Empty(work.Pods);
    }

    [Fact]
    public void The_TTL_runs_from_the_recorded_completion_time_and_the_next_expiry_is_reported()
    {
        var due = Finished("due", FunctionPhases.Succeeded, ttl: 600);
        var later = Finished("later", FunctionPhases.Failed, ttl: 900);
        var kept = Finished("kept", FunctionPhases.Succeeded);
        var work = Decide(OneNode().Function(due).Function(later).Function(kept));

        Assert.Equal(["due"], work.Expired.Select(f => f.Name));
        Assert.Equal(Completed.AddSeconds(900), work.NextExpiry);
    }

    [Fact]
    public void The_operator_default_TTL_applies_to_functions_that_name_none()
    {
        var work = Decide(OneNode().Function(Finished("f", FunctionPhases.Succeeded)), new FinishedWorkDefaults(PodGCPolicies.Never, 3600));

        Assert.Empty(work.Expired);
        Assert.Equal(Completed.AddHours(1), work.NextExpiry);
    }

    [Fact]
    public void A_finished_function_an_unfinished_one_still_needs_is_kept_past_its_TTL_and_stays_in_the_pass()
    {
        var source = Finished("source", FunctionPhases.Succeeded, ttl: 0);
        var target = Finished("target", FunctionPhases.Succeeded, ttl: 0);
        var consumer = TestObjects.Function("consumer").Args("source").CollocateWith("target").Build();
        var done = Finished("done", FunctionPhases.Succeeded, ttl: 0);
        var work = Decide(OneNode().Function(source).Function(target).Function(consumer).Function(done));

        Assert.Equal(["done"], work.Expired.Select(f => f.Name));
        Assert.Equal(["consumer", "source", "target"], work.InPass.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["done"], work.SetAside.Select(f => f.Name));
    }

    [Fact]
    public void Once_its_dependents_are_finished_too_the_function_expires()
    {
        var source = Finished("source", FunctionPhases.Succeeded, ttl: 0);
        var consumer = Finished("consumer", FunctionPhases.Failed, args: "source");
        var work = Decide(OneNode().Function(source).Function(consumer));

        Assert.Equal(["source"], work.Expired.Select(f => f.Name));
        Assert.Empty(work.InPass);
        Assert.Equal(["consumer", "source"], work.SetAside.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_retrying_dependent_is_unfinished_and_holds_its_arg()
    {
        var source = Finished("source", FunctionPhases.Succeeded, ttl: 0);
        var retrying = TestObjects.Function("retrying").Args("source").Status(new HandoffFunctionStatus
        {
            Phase = FunctionPhases.Pending,
            Attempts = 1,
            PodName = "retrying-1",
            Node = "a",
            RetryAfter = Now.AddSeconds(5).UtcDateTime,
        }).Build();
        var work = Decide(OneNode().Function(source).Function(retrying).Pod(TestObjects.PodOf(retrying).PlacedOn("a").Failed()));

        Assert.Empty(work.Expired);
        Assert.Contains(work.InPass, f => f.Name == "source");
    }

    [Fact]
    public void A_dependent_whose_spec_cannot_be_mapped_still_holds_its_args()
    {
        var source = Finished("source", FunctionPhases.Succeeded, ttl: 0);
        var broken = TestObjects.Function("broken").Args("source").Cost("cpu", "many").Build();
        var work = Decide(OneNode().Function(source).Function(broken));

        Assert.Empty(work.Expired);
    }
}
