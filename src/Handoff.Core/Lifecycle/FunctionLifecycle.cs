namespace Handoff.Core.Lifecycle;

/// <summary>
/// The one derivation of a function's attempts, used by the operator (from its pods and status) and the planner
/// (from its simulated pods): pods are the truth while they exist; the status record speaks only for what pods can
/// no longer tell. Pure and idempotent: the same pods, record and time give the same state, so a pass can be repeated
/// after a crash, and nothing is held only in memory.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A recorded terminal outcome stands (a finished function stays finished, also once its pods are collected),
/// unless a live pod of that attempt or a later one says otherwise — then the record was written by hand and the pods
/// win.</item>
/// <item>The newest pod decides: live → <see cref="Active"/> (terminating pods too: they hold capacity until terminal or
/// gone, and the next attempt waits for them); Succeeded → <see cref="Succeeded"/>; rejected by the kubelet at admission
/// → placed again under the same attempt number after a short back-off, at most <see cref="KubeletRejections.MaxInARow"/>
/// times in a row;
/// preempted by Handoff → placed again under the same number; otherwise failed → retried after the back-off while
/// retries remain.</item>
/// <item>A pod the record knew as Scheduled or Running that is gone was lost (deleted, evicted): a failed attempt.</item>
/// </list>
/// The back-off of a failed attempt runs from when the failure was first seen, on the deriving clock (the kubelet's
/// clock may differ from the operator's), and is then kept in the record, so the retry time and message are the same
/// on every pass.
/// </remarks>
public static class FunctionLifecycle
{
    /// <summary>
    /// A pod not finished, of the recorded attempt or a later one: while there is one, a status saying "finished" does
    /// not stand (the pod wins, as over a status written by hand).
    /// </summary>
    public static bool IsLiveSinceRecorded(StatusRecord record, AttemptPod pod)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pod);
        return !pod.IsTerminal && pod.Attempt >= record.Attempts;
    }

    public static AttemptState Derive(StatusRecord record, IReadOnlyList<AttemptPod> pods, RetryPolicy retry, DateTimeOffset now) =>
        Derive(record, pods, retry, new ObservedNow(now));

    /// <summary>
    /// <see cref="Derive(StatusRecord, IReadOnlyList{AttemptPod}, RetryPolicy, DateTimeOffset)"/>, reading the time only
    /// where the state depends on it (<see cref="ObservedNow.WasRead"/> then says so).
    /// </summary>
    public static AttemptState Derive(StatusRecord record, IReadOnlyList<AttemptPod> pods, RetryPolicy retry, ObservedNow now)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(retry);
        AttemptPod? latest = null;
        var liveSinceRecorded = false;
        for (var i = 0; i < pods.Count; i++) // for every function on every pass: no enumerator
        {
            var pod = pods[i];
            if (latest is null || Newer(pod, latest))
            {
                latest = pod;
            }

            liveSinceRecorded |= IsLiveSinceRecorded(record, pod);
        }

        var attempts = Math.Max(record.Attempts, latest?.Attempt ?? 0);
        if (record.Phase is { } recorded && recorded.IsTerminal() && !liveSinceRecorded)
        {
            return recorded == FunctionPhase.Succeeded
                ? new Succeeded(record.Node, record.PodName, record.Result, record.CompletionTime ?? now.Value) { Attempts = record.Attempts }
                : new Failed(record.Reason ?? Reasons.Failed, record.Message ?? "", record.Node, record.PodName, record.CompletionTime ?? now.Value) { Attempts = record.Attempts };
        }

        if (latest is not null && latest.Attempt == attempts)
        {
            return FromNewestPod(record, pods, latest, retry, now);
        }

        // No pod of the current attempt: never created, or gone.
        if (attempts > 0 && record.Attempts == attempts && record.PodName is { } recordedPod)
        {
            if (record.Reason is Reasons.Preempted or Reasons.NodeRejected)
            {
                return new NotStarted(attempts) { Attempts = attempts, Reason = record.Reason, Message = record.Message };
            }

            if (record.RetryAfter is { } retryAfter)
            {
                return AfterFailure(retryAfter, record.Message ?? "", attempts, now);
            }

            if (record.Phase is FunctionPhase.Scheduled or FunctionPhase.Running)
            {
                return FailedAttempt(record, retry, attempts, record.Node, recordedPod, Messages.PodDeleted(recordedPod), null, now);
            }
        }

        // Nothing says the current attempt ran to an end: it is made (again) under its number.
        return new NotStarted(Math.Max(1, attempts)) { Attempts = attempts };
    }

    private static AttemptState FromNewestPod(StatusRecord record, IReadOnlyList<AttemptPod> pods, AttemptPod latest, RetryPolicy retry, ObservedNow now)
    {
        var attempts = latest.Attempt;
        var preempted = record.Reason == Reasons.Preempted && string.Equals(record.PodName, latest.Name, StringComparison.Ordinal);
        if (!latest.IsTerminal)
        {
            return new Active(latest) { Attempts = attempts, Preempted = preempted, PreemptionMessage = preempted ? record.Message : null };
        }

        if (preempted)
        {
            return new NotStarted(attempts) { Attempts = attempts, Reason = Reasons.Preempted, Message = record.Message };
        }

        if (latest.Phase == PodPhase.Succeeded)
        {
            return new Succeeded(latest.Node, latest.Name, latest.Result, latest.FinishedAt ?? now.Value) { Attempts = attempts };
        }

        if (latest.IsKubeletRejection)
        {
            var inARow = RejectionsInARow(pods, attempts);
            var message = Messages.NodeRejected(latest.Name, latest.Node, latest.Reason!, latest.Message, inARow);
            if (inARow >= KubeletRejections.MaxInARow)
            {
                return new Failed(Reasons.NodeRejected, message, latest.Node, latest.Name, latest.FinishedAt ?? now.Value) { Attempts = attempts };
            }

            var again = latest.Created + KubeletRejections.Backoff(inARow);
            return again > now.Value
                ? new BackingOff(again, message) { Attempts = attempts, Reason = Reasons.NodeRejected }
                : new NotStarted(attempts) { Attempts = attempts, Reason = Reasons.NodeRejected, Message = message, ReadyAfter = again };
        }

        return FailedAttempt(record, retry, attempts, latest.Node, latest.Name, Messages.AttemptFailed(latest.Name, latest.Message), latest.FinishedAt, now);
    }

    private static AttemptState FailedAttempt(
        StatusRecord record, RetryPolicy retry, int attempt, string? node, string? podName, string failure, DateTimeOffset? finishedAt, ObservedNow now)
    {
        if (!retry.Retries(attempt))
        {
            return new Failed(Reasons.RetriesExhausted, Messages.RetriesExhausted(failure, attempt, retry.MaxRetries), node, podName, finishedAt ?? now.Value)
            {
                Attempts = attempt,
            };
        }

        var retryAfter = record.Attempts == attempt && record.RetryAfter is { } recorded ? recorded : now.Value + retry.Backoff(attempt);
        return AfterFailure(retryAfter, Messages.Retrying(failure, attempt, retry.MaxRetries, retryAfter), attempt, now);
    }

    private static AttemptState AfterFailure(DateTimeOffset retryAfter, string message, int attempt, ObservedNow now) =>
        retryAfter > now.Value
            ? new BackingOff(retryAfter, message) { Attempts = attempt }
            : new NotStarted(attempt + 1) { Attempts = attempt, Reason = Reasons.Retrying, Message = message, ReadyAfter = retryAfter };

    private static int RejectionsInARow(IReadOnlyList<AttemptPod> pods, int attempt)
    {
        var ofAttempt = pods.Where(p => p.Attempt == attempt).OrderBy(p => p, NewestLast.Instance).ToList();
        var count = 0;
        for (var i = ofAttempt.Count - 1; i >= 0 && ofAttempt[i].IsKubeletRejection; i--)
        {
            count++;
        }

        return count;
    }

    private static bool Newer(AttemptPod a, AttemptPod b) => NewestLast.Instance.Compare(a, b) > 0;

    /// <summary>Pods of a function by attempt, then creation, then name: the newest last.</summary>
    private sealed class NewestLast : IComparer<AttemptPod>
    {
        public static readonly NewestLast Instance = new();

        public int Compare(AttemptPod? x, AttemptPod? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var c = x.Attempt.CompareTo(y.Attempt);
            if (c == 0)
            {
                c = x.Created.CompareTo(y.Created);
            }

            return c != 0 ? c : string.CompareOrdinal(x.Name, y.Name);
        }
    }
}
