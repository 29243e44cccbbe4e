using Handoff.Core.Lifecycle;

namespace Handoff.Core.Tests.Lifecycle;

/// <summary><see cref="FunctionLifecycle.Derive(StatusRecord, IReadOnlyList{AttemptPod}, RetryPolicy, DateTimeOffset)"/>, case by case: pods and a status record in, the attempt state out.</summary>
public sealed class FunctionLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = T0.AddMinutes(10);
    private static readonly RetryPolicy Retry = new(3);
    private const string ExitDetail = "exit code 1, Error";
    private const string RejectDetail = "Node didn't have enough resource: cpu";
    private const string PreemptionMessage = "preempted by default/urgent (priority 100)";

    private static DateTimeOffset Finished(int attempt) => T0.AddMinutes(attempt).AddSeconds(30);

    private static AttemptPod Pod(int attempt, string? name = null) =>
        new(name ?? $"f-{attempt}", attempt) { Node = "a", Bound = true, Phase = PodPhase.Pending, Created = T0.AddMinutes(attempt) };

    private static AttemptPod Running(int attempt) => Pod(attempt) with { Phase = PodPhase.Running };

    private static AttemptPod FailedPod(int attempt) =>
        Pod(attempt) with { Phase = PodPhase.Failed, Message = ExitDetail, FinishedAt = Finished(attempt) };

    private static AttemptPod SucceededPod(int attempt, string result) =>
        Pod(attempt) with { Phase = PodPhase.Succeeded, Result = result, FinishedAt = Finished(attempt) };

    /// <summary>The <paramref name="k"/>-th pod of <paramref name="attempt"/> (named as NextPodName does), rejected at admission.</summary>
    private static AttemptPod Rejected(int attempt, int k = 1) =>
        Pod(attempt, k == 1 ? $"f-{attempt}" : $"f-{attempt}-{k}") with
        {
            Phase = PodPhase.Failed,
            Reason = "OutOfcpu",
            Message = RejectDetail,
            Created = T0.AddMinutes(attempt).AddSeconds(k),
        };

    private static StatusRecord Recorded(FunctionPhase phase, int attempts, string? pod = null) =>
        new() { Phase = phase, Attempts = attempts, PodName = pod, Node = pod is null ? null : "a" };

    private static string Failure(int attempt) => Messages.AttemptFailed($"f-{attempt}", ExitDetail);

    private sealed record Case(StatusRecord Record, AttemptPod[] Pods, AttemptState Expected)
    {
        public RetryPolicy Retry { get; init; } = FunctionLifecycleTests.Retry;
    }

    private static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        ["first attempt: no record, no pod"] = new(StatusRecord.Empty, [], new NotStarted(1) { Attempts = 0 }),
        ["a record with no attempt yet (Pending, did not fit)"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Reason = Reasons.FailedScheduling, Message = "0/1 nodes are available" }, [],
            new NotStarted(1) { Attempts = 0 }),
        ["pod created, not bound yet"] = new(StatusRecord.Empty, [Pod(1) with { Bound = false }],
            new Active(Pod(1) with { Bound = false }) { Attempts = 1 }),
        ["pod running"] = new(Recorded(FunctionPhase.Scheduled, 1, "f-1"), [Running(1)], new Active(Running(1)) { Attempts = 1 }),
        ["pod in phase Unknown (node lost contact) still holds its attempt"] = new(Recorded(FunctionPhase.Running, 1, "f-1"),
            [Pod(1) with { Phase = PodPhase.Unknown }], new Active(Pod(1) with { Phase = PodPhase.Unknown }) { Attempts = 1 }),
        ["terminating pod holds its attempt until it ends"] = new(Recorded(FunctionPhase.Running, 1, "f-1"),
            [Running(1) with { Terminating = true }], new Active(Running(1) with { Terminating = true }) { Attempts = 1 }),
        ["the newest attempt's pod decides"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Reason = Reasons.Retrying, RetryAfter = Now.AddMinutes(-1) },
            [FailedPod(1), Running(2)], new Active(Running(2)) { Attempts = 2 }),
        ["succeeded"] = new(Recorded(FunctionPhase.Running, 1, "f-1"), [SucceededPod(1, "42")],
            new Succeeded("a", "f-1", "42", Finished(1)) { Attempts = 1 }),
        ["failed with retries left: backs off 10 s from now"] = new(Recorded(FunctionPhase.Running, 1, "f-1"), [FailedPod(1)],
            new BackingOff(Now.AddSeconds(10), Messages.Retrying(Failure(1), 1, 3, Now.AddSeconds(10))) { Attempts = 1 }),
        ["failed: the retry time is kept from the record, so it does not move between passes"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Reason = Reasons.Retrying, RetryAfter = Now.AddSeconds(3) },
            [FailedPod(1)],
            new BackingOff(Now.AddSeconds(3), Messages.Retrying(Failure(1), 1, 3, Now.AddSeconds(3))) { Attempts = 1 }),
        ["failed, back-off over: the next attempt is ready since the back-off ended"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Reason = Reasons.Retrying, RetryAfter = Now.AddSeconds(-5) },
            [FailedPod(1)],
            new NotStarted(2)
            {
                Attempts = 1,
                Reason = Reasons.Retrying,
                Message = Messages.Retrying(Failure(1), 1, 3, Now.AddSeconds(-5)),
                ReadyAfter = Now.AddSeconds(-5),
            }),
        ["a second failure backs off 20 s"] = new(Recorded(FunctionPhase.Running, 2, "f-2"), [FailedPod(1), FailedPod(2)],
            new BackingOff(Now.AddSeconds(20), Messages.Retrying(Failure(2), 2, 3, Now.AddSeconds(20))) { Attempts = 2 }),
        ["retries exhausted: maxRetries 3 allows 4 attempts"] = new(Recorded(FunctionPhase.Running, 4, "f-4"),
            [FailedPod(1), FailedPod(2), FailedPod(3), FailedPod(4)],
            new Failed(Reasons.RetriesExhausted, Messages.RetriesExhausted(Failure(4), 4, 3), "a", "f-4", Finished(4)) { Attempts = 4 }),
        ["maxRetries 0: the first failure is final"] = new(Recorded(FunctionPhase.Running, 1, "f-1"), [FailedPod(1)],
            new Failed(Reasons.RetriesExhausted, Messages.RetriesExhausted(Failure(1), 1, 0), "a", "f-1", Finished(1)) { Attempts = 1 })
        {
            Retry = new RetryPolicy(0),
        },
        ["pod lost while Scheduled counts as a failed attempt"] = new(Recorded(FunctionPhase.Scheduled, 1, "f-1"), [],
            new BackingOff(Now.AddSeconds(10), Messages.Retrying(Messages.PodDeleted("f-1"), 1, 3, Now.AddSeconds(10))) { Attempts = 1 }),
        ["pod lost while Running counts as a failed attempt"] = new(Recorded(FunctionPhase.Running, 2, "f-2"), [FailedPod(1)],
            new BackingOff(Now.AddSeconds(20), Messages.Retrying(Messages.PodDeleted("f-2"), 2, 3, Now.AddSeconds(20))) { Attempts = 2 }),
        ["pod lost on the last attempt fails the function"] = new(Recorded(FunctionPhase.Running, 4, "f-4"), [],
            new Failed(Reasons.RetriesExhausted, Messages.RetriesExhausted(Messages.PodDeleted("f-4"), 4, 3), "a", "f-4", Now) { Attempts = 4 }),
        ["pod collected while backing off: the recorded back-off stands"] = new(
            new StatusRecord
            {
                Phase = FunctionPhase.Pending,
                Attempts = 1,
                PodName = "f-1",
                Node = "a",
                Reason = Reasons.Retrying,
                Message = "pod f-1 failed; retry 1 of 3",
                RetryAfter = Now.AddSeconds(4),
            },
            [], new BackingOff(Now.AddSeconds(4), "pod f-1 failed; retry 1 of 3") { Attempts = 1 }),
        ["pod never bound and gone (recorded Pending): the attempt is made again under its number"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1" }, [], new NotStarted(1) { Attempts = 1 }),
        ["kubelet rejection: placed again under the same attempt"] = new(Recorded(FunctionPhase.Scheduled, 1, "f-1"), [Rejected(1)],
            new NotStarted(1) { Attempts = 1, Reason = Reasons.NodeRejected, Message = Messages.NodeRejected("f-1", "a", "OutOfcpu", RejectDetail, 1), ReadyAfter = Rejected(1).Created.AddSeconds(1) }),
        ["kubelet rejection, within its back-off: backing off under the same attempt"] = new(Recorded(FunctionPhase.Scheduled, 1, "f-1"),
            [Rejected(1) with { Created = Now.AddMilliseconds(-500) }],
            new BackingOff(Now.AddMilliseconds(500), Messages.NodeRejected("f-1", "a", "OutOfcpu", RejectDetail, 1)) { Attempts = 1, Reason = Reasons.NodeRejected }),
        ["four kubelet rejections in a row are still placed again"] = new(Recorded(FunctionPhase.Scheduled, 1, "f-1-4"),
            [Rejected(1), Rejected(1, 2), Rejected(1, 3), Rejected(1, 4)],
            new NotStarted(1) { Attempts = 1, Reason = Reasons.NodeRejected, Message = Messages.NodeRejected("f-1-4", "a", "OutOfcpu", RejectDetail, 4), ReadyAfter = Rejected(1, 4).Created.AddSeconds(8) }),
        ["the fifth kubelet rejection in a row fails the function"] = new(Recorded(FunctionPhase.Scheduled, 1, "f-1-5"),
            [Rejected(1), Rejected(1, 2), Rejected(1, 3), Rejected(1, 4), Rejected(1, 5)],
            new Failed(Reasons.NodeRejected, Messages.NodeRejected("f-1-5", "a", "OutOfcpu", RejectDetail, 5), "a", "f-1-5", Now) { Attempts = 1 }),
        ["a kubelet rejection does not use up an attempt, even the last one"] = new(Recorded(FunctionPhase.Scheduled, 4, "f-4"),
            [FailedPod(1), FailedPod(2), FailedPod(3), Rejected(4)],
            new NotStarted(4) { Attempts = 4, Reason = Reasons.NodeRejected, Message = Messages.NodeRejected("f-4", "a", "OutOfcpu", RejectDetail, 1), ReadyAfter = Rejected(4).Created.AddSeconds(1) }),
        ["rejected pod collected: placed again under the same attempt, from the record"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Reason = Reasons.NodeRejected, Message = "rejected" }, [],
            new NotStarted(1) { Attempts = 1, Reason = Reasons.NodeRejected, Message = "rejected" }),
        ["preempted, its pod still terminating: active, marked preempted"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Reason = Reasons.Preempted, Message = PreemptionMessage },
            [Running(1) with { Terminating = true }],
            new Active(Running(1) with { Terminating = true }) { Attempts = 1, Preempted = true, PreemptionMessage = PreemptionMessage }),
        ["preempted pod ended: placed again without counting the attempt"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Reason = Reasons.Preempted, Message = PreemptionMessage },
            [FailedPod(1) with { Message = "exit code 137, Error" }],
            new NotStarted(1) { Attempts = 1, Reason = Reasons.Preempted, Message = PreemptionMessage }),
        ["preempted pod gone: placed again without counting the attempt"] = new(
            new StatusRecord { Phase = FunctionPhase.Pending, Attempts = 1, PodName = "f-1", Reason = Reasons.Preempted, Message = PreemptionMessage }, [],
            new NotStarted(1) { Attempts = 1, Reason = Reasons.Preempted, Message = PreemptionMessage }),
        ["a hand-written Succeeded with the attempt's pod live: the pod wins"] = new(
            new StatusRecord { Phase = FunctionPhase.Succeeded, Attempts = 1, PodName = "f-1", Result = "forged", CompletionTime = T0 },
            [Running(1)], new Active(Running(1)) { Attempts = 1 }),
        ["a hand-written Failed with a later attempt's pod live: the pod wins"] = new(
            new StatusRecord { Phase = FunctionPhase.Failed, Attempts = 1, PodName = "f-1", Reason = Reasons.RetriesExhausted, CompletionTime = T0 },
            [FailedPod(1), Running(2)], new Active(Running(2)) { Attempts = 2 }),
        ["a terminal record with no pod left stays terminal"] = new(
            new StatusRecord { Phase = FunctionPhase.Succeeded, Attempts = 2, PodName = "f-2", Node = "a", Result = "7", CompletionTime = Finished(2) }, [],
            new Succeeded("a", "f-2", "7", Finished(2)) { Attempts = 2 }),
        ["a terminal record stands over the pods that ended"] = new(
            new StatusRecord { Phase = FunctionPhase.Failed, Attempts = 1, PodName = "f-1", Node = "a", Reason = Reasons.DependencyFailed, Message = "dependency x failed", CompletionTime = T0 },
            [SucceededPod(1, "late")],
            new Failed(Reasons.DependencyFailed, "dependency x failed", "a", "f-1", T0) { Attempts = 1 }),
        ["a terminal record stands while only an older attempt's pod is live"] = new(
            new StatusRecord { Phase = FunctionPhase.Succeeded, Attempts = 2, PodName = "f-2", Node = "a", Result = "7", CompletionTime = Finished(2) },
            [Running(1) with { Terminating = true }, SucceededPod(2, "7")],
            new Succeeded("a", "f-2", "7", Finished(2)) { Attempts = 2 }),
        ["a Failed record without reason or message reads as Failed"] = new(
            new StatusRecord { Phase = FunctionPhase.Failed }, [], new Failed(Reasons.Failed, "", null, null, Now) { Attempts = 0 }),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Derive(string name)
    {
        var c = Cases[name];
        Assert.Equal(c.Expected, FunctionLifecycle.Derive(c.Record, c.Pods, c.Retry, Now));
    }

    [Fact]
    public void The_order_pods_are_listed_in_does_not_matter()
    {
        AttemptPod[] pods = [Rejected(1, 3), FailedPod(2), Rejected(1), Running(3), Rejected(1, 2)];
        var record = Recorded(FunctionPhase.Scheduled, 3, "f-3");
        var expected = FunctionLifecycle.Derive(record, pods, Retry, Now);
        Assert.Equal(new Active(Running(3)) { Attempts = 3 }, expected);
        Assert.Equal(expected, FunctionLifecycle.Derive(record, [.. pods.Reverse()], Retry, Now));
    }
}
