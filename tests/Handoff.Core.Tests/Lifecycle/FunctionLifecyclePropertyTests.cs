using CsCheck;
using Handoff.Core.Lifecycle;

namespace Handoff.Core.Tests.Lifecycle;

/// <summary>
/// <see cref="FunctionLifecycle.Derive(StatusRecord, IReadOnlyList{AttemptPod}, RetryPolicy, DateTimeOffset)"/> is idempotent: once a pass has written the state it derived into the status
/// (as the operator writes it), the next pass over the same pods derives the same state — nothing moves between passes.
/// </summary>
public sealed class FunctionLifecyclePropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private enum Outcome
    {
        Pending,
        Unbound,
        Running,
        Terminating,
        Unknown,
        Succeeded,
        Failed,
        Rejected,
    }

    // A function's pods as they come, one history: attempts 1..m (m <= maxRetries + 1); each attempt's pods are 0..4
    // rejected at admission, then one more that failed — or, for the last attempt, ended or still live in any way. Times
    // are whole seconds (the API's precision). Then the clock steps of the passes, in seconds.
    private static readonly Gen<(AttemptPod[] Pods, int[] Steps, int MaxRetries)> GenHistory =
        Gen.Int[0, 3].SelectMany(maxRetries =>
            Gen.Select(Gen.Int[0, 4].Array[1, maxRetries + 1], Gen.Enum<Outcome>(), Gen.Int[1, 90], Gen.Int[0, 400].Array[24])
                .Select((rejections, last, seconds, steps) => (History(rejections, last, seconds), steps, maxRetries)));

    private static AttemptPod[] History(int[] rejections, Outcome last, int seconds)
    {
        var pods = new List<AttemptPod>();
        var created = T0;
        for (var attempt = 1; attempt <= rejections.Length; attempt++)
        {
            for (var k = 1; k <= rejections[attempt - 1] + 1; k++)
            {
                created = created.AddSeconds(seconds + 60);
                var pod = new AttemptPod(k == 1 ? $"f-{attempt}" : $"f-{attempt}-{k}", attempt) { Node = "a", Bound = true, Created = created };
                var outcome = k <= rejections[attempt - 1] ? Outcome.Rejected : attempt < rejections.Length ? Outcome.Failed : last;
                pods.Add(outcome switch
                {
                    Outcome.Pending => pod,
                    Outcome.Unbound => pod with { Bound = false },
                    Outcome.Running => pod with { Phase = PodPhase.Running },
                    Outcome.Terminating => pod with { Phase = PodPhase.Running, Terminating = true },
                    Outcome.Unknown => pod with { Phase = PodPhase.Unknown },
                    Outcome.Succeeded => pod with { Phase = PodPhase.Succeeded, Result = "r" + attempt, FinishedAt = created.AddSeconds(seconds) },
                    Outcome.Failed => pod with { Phase = PodPhase.Failed, Message = "exit code 1, Error", FinishedAt = created.AddSeconds(seconds) },
                    _ => pod with { Phase = PodPhase.Failed, Reason = "OutOfmemory", Message = "not enough memory" },
                });
            }
        }

        return [.. pods];
    }

    [Fact]
    public void Derive_is_idempotent_over_the_status_it_wrote()
    {
        GenHistory.Sample(h =>
        {
            var retry = new RetryPolicy(h.MaxRetries);
            foreach (var pass in Passes(h, retry))
            {
                var again = FunctionLifecycle.Derive(pass.Written, pass.Visible, retry, pass.Now);
                Assert.True(pass.State == again,
                    $"pass over {pass.Visible.Length} pod(s) at {pass.Now:O}: {pass.State} then {again}\nrecord before: {pass.Record}\nrecord written: {pass.Written}\npods: {string.Join("; ", pass.Visible)}");
            }
        }, iter: 2000);
    }

    [Fact]
    public void A_state_derived_without_reading_the_time_is_the_same_at_any_time()
    {
        // What lets the operator keep a function's view from pass to pass while its pods and status stay the same.
        GenHistory.Sample(h =>
        {
            var retry = new RetryPolicy(h.MaxRetries);
            var unread = 0;
            foreach (var pass in Passes(h, retry))
            {
                foreach (var input in new[] { pass.Record, pass.Written })
                {
                    var clock = new ObservedNow(pass.Now);
                    var state = FunctionLifecycle.Derive(input, pass.Visible, retry, clock);
                    Assert.Equal(state, FunctionLifecycle.Derive(input, pass.Visible, retry, pass.Now));
                    if (clock.WasRead)
                    {
                        continue;
                    }

                    unread++;
                    foreach (var other in new[] { DateTimeOffset.MinValue, T0.AddDays(-1), pass.Now.AddSeconds(1), pass.Now.AddYears(1), DateTimeOffset.MaxValue })
                    {
                        Assert.True(state == FunctionLifecycle.Derive(input, pass.Visible, retry, other), $"{state} at {pass.Now:O}, not at {other:O}; record {input}");
                    }
                }
            }

            Assert.True(unread > 0, "every derivation of the history read the time");
        }, iter: 2000);
    }

    /// <summary>
    /// The passes over a history: one as each pod appears, then one after every pod was collected (the record speaks
    /// alone), each deriving from the record the pass before it wrote.
    /// </summary>
    private static IEnumerable<(AttemptPod[] Visible, DateTimeOffset Now, StatusRecord Record, AttemptState State, StatusRecord Written)> Passes(
        (AttemptPod[] Pods, int[] Steps, int MaxRetries) history, RetryPolicy retry)
    {
        var record = StatusRecord.Empty;
        var now = T0;
        for (var seen = 0; seen <= history.Pods.Length + 1; seen++)
        {
            var visible = seen <= history.Pods.Length ? history.Pods[..seen] : [];
            now = Max(now, seen is 0 || visible.Length == 0 ? now : visible[^1].Created).AddSeconds(history.Steps[seen]);
            var state = FunctionLifecycle.Derive(record, visible, retry, now);
            var written = Write(state, record, visible, now);
            yield return (visible, now, record, state, written);
            record = written;
        }
    }

    [Fact]
    public void The_time_is_read_only_where_the_state_needs_it()
    {
        var live = new AttemptPod("f-1", 1) { Node = "a", Bound = true, Phase = PodPhase.Running, Created = T0 };
        var clock = new ObservedNow(T0);
        Assert.IsType<Active>(FunctionLifecycle.Derive(StatusRecord.Empty, [live], new RetryPolicy(1), clock));
        Assert.False(clock.WasRead);

        // Failed without a finish time: the back-off runs from now.
        var failed = live with { Phase = PodPhase.Failed, Message = "exit code 1" };
        Assert.IsType<BackingOff>(FunctionLifecycle.Derive(StatusRecord.Empty, [failed], new RetryPolicy(1), clock));
        Assert.True(clock.WasRead);

        clock.Forget();
        Assert.False(clock.WasRead);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>
    /// The status record the operator writes for <paramref name="state"/> and reads back (its StatusReportStep, then
    /// FunctionView.RecordOf), for what Derive reads: the reasons kept are the Scheduled condition's Preempted, NodeRejected
    /// and Retrying, else the Completed reason once terminal; times are whole seconds; an unbound live pod leaves the
    /// status as it is.
    /// </summary>
    private static StatusRecord Write(AttemptState state, StatusRecord record, IReadOnlyList<AttemptPod> pods, DateTimeOffset now)
    {
        var last = pods.Count == 0 ? null : pods.MaxBy(p => (p.Attempt, p.Created));
        var completion = record.Phase is { } p && p.IsTerminal() && record.CompletionTime is { } kept ? (DateTimeOffset?)kept : null;
        return state switch
        {
            Succeeded s => new StatusRecord
            {
                Phase = FunctionPhase.Succeeded,
                Attempts = s.Attempts,
                PodName = s.PodName,
                Node = s.Node,
                Result = s.Result,
                Reason = Reasons.Succeeded,
                CompletionTime = completion ?? s.CompletionTime,
            },
            Failed f => new StatusRecord
            {
                Phase = FunctionPhase.Failed,
                Attempts = f.Attempts,
                PodName = f.PodName,
                Node = f.Node,
                Reason = f.Reason,
                Message = f.Message,
                CompletionTime = completion ?? f.CompletionTime,
            },
            Active { Preempted: true } a => new StatusRecord
            {
                Phase = FunctionPhase.Pending,
                Attempts = a.Attempts,
                PodName = a.Pod.Name,
                Node = a.Pod.Node,
                Reason = Reasons.Preempted,
                Message = a.PreemptionMessage ?? "preempted",
                StartTime = record.StartTime,
            },
            Active { Pod.Bound: true } a => new StatusRecord
            {
                Phase = a.Pod.Phase == PodPhase.Running ? FunctionPhase.Running : FunctionPhase.Scheduled,
                Attempts = a.Attempts,
                PodName = a.Pod.Name,
                Node = a.Pod.Node,
                StartTime = record.StartTime ?? now,
            },
            Active => record,
            BackingOff b => new StatusRecord
            {
                Phase = FunctionPhase.Pending,
                Attempts = b.Attempts,
                PodName = record.PodName ?? last?.Name,
                Node = record.Node ?? last?.Node,
                Reason = Reasons.Retrying,
                Message = b.Message,
                RetryAfter = b.RetryAfter,
                StartTime = record.StartTime,
            },
            NotStarted n => new StatusRecord
            {
                Phase = FunctionPhase.Pending,
                Attempts = n.Attempts,
                PodName = record.PodName,
                Node = record.Node,
                Reason = n.Reason is Reasons.Preempted or Reasons.NodeRejected or Reasons.Retrying ? n.Reason : null,
                Message = n.Message ?? "",
                RetryAfter = n.Reason == Reasons.Retrying ? n.ReadyAfter : null,
                StartTime = record.StartTime,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
        };
    }
}
