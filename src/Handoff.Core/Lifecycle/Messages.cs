using System.Globalization;

namespace Handoff.Core.Lifecycle;

/// <summary>
/// The human-readable messages of the lifecycle, written once for the operator's status, Events, the planner and the
/// CLI. Function ids (<c>namespace/name</c>) are shown by name: everything a function refers to is in its namespace.
/// </summary>
public static class Messages
{
    public static string DependencyCycle(IReadOnlyList<string> cycleIds) =>
        "dependency cycle: " + string.Join(" -> ", cycleIds.Select(ObjectKeys.NameOf));

    public static string DependencyFailed(string failedArgId) => $"dependency {ObjectKeys.NameOf(failedArgId)} failed";

    /// <summary>A Job's pod that its controller never created in a plan: too few of the Job's pods succeeded.</summary>
    public static string NotCreatedByJob(string jobId, int successes) =>
        $"not created: Job {ObjectKeys.NameOf(jobId)} creates it once {successes} of its pods have succeeded";

    public static string WaitingForArgs(IEnumerable<string> argIds) =>
        "waiting for args to succeed: " + string.Join(", ", argIds.Select(ObjectKeys.NameOf));

    /// <summary>Unknown args and/or an unknown collocation target, in one message.</summary>
    public static string UnknownReferences(IReadOnlyList<string> unknownArgIds, string? unknownCollocationId)
    {
        var parts = new List<string>(2);
        if (unknownArgIds.Count > 0)
        {
            parts.Add("unknown args (no such HandoffFunction in this namespace): " + string.Join(", ", unknownArgIds.Select(ObjectKeys.NameOf)));
        }

        if (unknownCollocationId is not null)
        {
            parts.Add("unknown collocateWith (no such HandoffFunction in this namespace): " + ObjectKeys.NameOf(unknownCollocationId));
        }

        return string.Join("; ", parts);
    }

    public static string NoArgs => "no args";

    public static string AllArgsSucceeded => "all args succeeded";

    public static string Bound(string pod, string node) => $"pod {pod} bound to {node}";

    /// <summary>A failed attempt and when the next one may start.</summary>
    public static string Retrying(string failure, int failedAttempt, int maxRetries, DateTimeOffset retryAfter) =>
        $"{failure}; retry {failedAttempt} of {maxRetries} after {retryAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";

    public static string RetriesExhausted(string failure, int attempts, int maxRetries) =>
        $"{failure}; {attempts} attempt(s) failed (maxRetries {maxRetries})";

    public static string PodDeleted(string pod) => $"pod {pod} was deleted";

    public static string PodTerminating(string pod) => $"pod {pod} is terminating; the next attempt starts once it is gone";

    public static string WaitingForCollocation(string targetId) =>
        $"waiting for {ObjectKeys.NameOf(targetId)} to be placed (collocateWith)";

    /// <summary>A failed attempt: <c>pod f-1 failed: exit code 1, Error</c>.</summary>
    public static string AttemptFailed(string pod, string? detail) =>
        $"pod {pod} failed" + (string.IsNullOrEmpty(detail) ? "" : ": " + detail);

    public static string NodeRejected(string pod, string? node, string reason, string? detail, int inARow) =>
        $"pod {pod} was rejected by the kubelet{(node is null ? "" : " of " + node)}: {reason}" + (string.IsNullOrEmpty(detail) ? "" : ": " + detail)
        + (inARow > 1 ? $" ({inARow} rejections in a row)" : "");

    public static string TooManyArgs(int args, int max) =>
        string.Create(CultureInfo.InvariantCulture, $"{args} args, more than the {max} allowed");

    public static string ArgsTooLarge(int bytes, int max, int results, int extraArgs) =>
        string.Create(CultureInfo.InvariantCulture,
            $"HANDOFF_ARGS would be {bytes} bytes ({results} result(s) of args, {extraArgs} extraArgs), more than the {max} allowed (the kernel's 128 KiB limit on one environment string)");

    public static string PodEnvironmentTooLarge(long bytes, int max, int containers) =>
        string.Create(CultureInfo.InvariantCulture,
            $"the HANDOFF_* environment of the pod's {containers} container(s) would be {bytes} bytes, more than the {max} allowed (the API server stores objects up to 1.5 MiB)");

    // Queues, priorities, gangs, preemption (api.md, "Queues, priorities, gangs, preemption").

    /// <summary>A victim's message and Event: <c>preempted by default/urgent (priority 1000) to make room on gpu-1</c>.</summary>
    public static string PreemptedBy(string preemptorId, int priority, string node) =>
        string.Create(CultureInfo.InvariantCulture, $"preempted by {preemptorId} (priority {priority}) to make room on {node}");

    /// <summary>A preemptor's message in the pass that evicts: <c>preempting on gpu-1: evicting default/low-a, default/low-b</c>.</summary>
    public static string Preempting(string node, IEnumerable<string> victimIds) => $"preempting on {node}: evicting {string.Join(", ", victimIds)}";

    /// <summary>A preemptor's message while its victims leave.</summary>
    public static string WaitingForVictims(string node) => $"preempting on {node}: waiting for the evicted workloads to terminate";

    /// <summary><c>gang train: 2 of 4 members ready</c> (members placed before count as ready).</summary>
    public static string GangWaiting(string gang, int ready, int minMembers) =>
        string.Create(CultureInfo.InvariantCulture, $"gang {gang}: {ready} of {minMembers} members ready");

    /// <summary><c>gang train: 3 of 4 members fit</c>, then why the first one that does not fit does not.</summary>
    public static string GangDoesNotFit(string gang, int fit, int members, string firstMisfitId, string why) =>
        string.Create(CultureInfo.InvariantCulture, $"gang {gang}: {fit} of {members} members fit ({ObjectKeys.NameOf(firstMisfitId)}: {why})");

    /// <summary>A gang member that cannot run because too few of its gang can.</summary>
    public static string GangFailed(string gang, IReadOnlyList<string> failedIds, int minMembers, int members) =>
        string.Create(CultureInfo.InvariantCulture,
            $"gang {gang}: {failedIds.Count} member(s) failed ({string.Join(", ", failedIds.Select(ObjectKeys.NameOf))}), so at most {members - failedIds.Count} of minMembers {minMembers} can run");

    /// <summary>Behind the head of a StrictFIFO queue that does not fit.</summary>
    public static string BlockedByQueueHead(string queue, string headId) =>
        $"queue {queue} is StrictFIFO and its head {headId} does not fit yet";

    public static string UnknownQueue(string queue) => $"queue {queue}: no HandoffQueue named {queue}";

    public static string QueueInactive(string queue, IEnumerable<string> problems) => $"queue {queue} is inactive: {string.Join("; ", problems)}";

    public static string NamespaceNotAllowed(string queue, string @namespace) =>
        $"queue {queue} does not admit namespace {@namespace} (namespaceSelector)";

    /// <summary>As the API server's Priority admission plugin says it.</summary>
    public static string UnknownPriorityClass(string name) => $"no PriorityClass with name {name} was found";
}
