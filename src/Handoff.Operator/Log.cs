using Handoff.Core.Lifecycle;

namespace Handoff.Operator;

/// <summary>
/// Every log line of the operator, source-generated, each with an event id that keeps its meaning (docs/operator.md
/// lists them). Grouped by hundreds: 1xx a function's state as a reconcile pass wrote it, 2xx what a pass did to pods,
/// statuses and Events, 3xx the operator loop, 4xx leader election, 5xx informers, 6xx the metrics endpoint
/// (SecureMetrics/Log.Metrics.cs). A new line takes the next free id of its group; an id is never reused for another meaning.
/// </summary>
internal static partial class Log
{
    /// <summary>
    /// A function's status as a pass wrote it, at the level its decision deserves. Outcomes — succeeded, a failed
    /// attempt to be retried, failed — are Information: once per function or attempt. Waiting, pending, scheduled and
    /// running are Debug: a pending function's message changes whenever free capacity does, so at Information a busy
    /// cluster would log every queued function on every pass; the placement itself is <see cref="PodBound"/>
    /// (Information), and a pending function's reason is also a FailedScheduling Event.
    /// </summary>
    public static void FunctionState(ILogger logger, string function, string phase, string reason, string node, string message)
    {
        switch (phase)
        {
            case FunctionPhases.Pending when reason == Reasons.Retrying:
                FunctionRetrying(logger, function, message);
                break;
            case FunctionPhases.Pending:
                FunctionPending(logger, function, reason, message);
                break;
            case FunctionPhases.Scheduled:
                FunctionScheduled(logger, function, node);
                break;
            case FunctionPhases.Running:
                FunctionRunning(logger, function, node);
                break;
            case FunctionPhases.Succeeded:
                FunctionSucceeded(logger, function, node);
                break;
            case FunctionPhases.Failed:
                FunctionFailed(logger, function, reason, message);
                break;
            default:
                FunctionWaiting(logger, function, reason, message);
                break;
        }
    }

    // 1xx: a function's state, as a pass wrote it to its status (through FunctionState).

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Function {Function} is Waiting ({Reason}): {Message}")]
    public static partial void FunctionWaiting(ILogger logger, string function, string reason, string message);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Function {Function} is Pending ({Reason}): {Message}")]
    public static partial void FunctionPending(ILogger logger, string function, string reason, string message);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Function {Function} is Scheduled on {Node}")]
    public static partial void FunctionScheduled(ILogger logger, string function, string node);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Function {Function} is Running on {Node}")]
    public static partial void FunctionRunning(ILogger logger, string function, string node);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Function {Function} Succeeded on {Node}")]
    public static partial void FunctionSucceeded(ILogger logger, string function, string node);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Function {Function} will be retried: {Message}")]
    public static partial void FunctionRetrying(ILogger logger, string function, string message);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Function {Function} Failed ({Reason}): {Message}")]
    public static partial void FunctionFailed(ILogger logger, string function, string reason, string message);

    // 2xx: what a pass did.

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Bound pod {Namespace}/{Pod} to node {Node}")]
    public static partial void PodBound(ILogger logger, string @namespace, string pod, string node);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Deleted pod {Namespace}/{Pod}: {Reason}")]
    public static partial void PodDeleted(ILogger logger, string @namespace, string pod, string reason);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Preempting {Victim} (priority {VictimPriority}) on {Node} for {Preemptor} (priority {Priority})")]
    public static partial void Preempting(ILogger logger, string victim, int victimPriority, string node, string preemptor, int priority);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Gang {Gang} was only partly created ({Placed} of {MinMembers}); its unbound pods are deleted so that it holds nothing")]
    public static partial void PartialGangReleased(ILogger logger, string gang, int placed, int minMembers);

    [LoggerMessage(EventId = 208, Level = LogLevel.Debug, Message = "Queue {Queue}: {Pending} pending, {Admitted} admitted, usage {Usage}")]
    public static partial void QueueStatus(ILogger logger, string queue, int pending, int admitted, string usage);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Status of {Object} not written ({Result}): it changed since this pass read it; the next pass reads it again")]
    public static partial void StatusStale(ILogger logger, string @object, string result);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Kind} {Name}")]
    public static partial void EventNotRecorded(ILogger logger, Exception exception, string reason, string kind, string name);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Collected pod {Namespace}/{Pod} of finished function {Function} (podGC {Policy})")]
    public static partial void PodCollected(ILogger logger, string @namespace, string pod, string function, string policy);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "Deleted function {Namespace}/{Function}: finished at {CompletionTime:o}, ttlSecondsAfterFinished passed")]
    public static partial void ExpiredFunctionDeleted(ILogger logger, string @namespace, string function, DateTimeOffset completionTime);

    // 3xx: the operator loop.

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Leading: rebuilding the tracker from the cluster")]
    public static partial void Leading(ILogger logger);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Reconcile pass failed; retrying with back-off")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 302, Level = LogLevel.Critical, Message = "The operator loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Idle: a full collection gave memory back in {Milliseconds:F0} ms ({HeapMiB} MiB of heap left)")]
    public static partial void MemoryTrimmed(ILogger logger, double milliseconds, long heapMiB);

    // 4xx: leader election.

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{Identity} became leader of lease {Namespace}/{Lease}")]
    public static partial void BecameLeader(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "{Identity} lost leadership of lease {Namespace}/{Lease}")]
    public static partial void LostLeadership(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Leader election error")]
    public static partial void LeaderElectionError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Leader election failed; campaigning again")]
    public static partial void LeaderElectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "{Identity} released lease {Namespace}/{Lease}")]
    public static partial void LeaseReleased(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Could not release lease {Namespace}/{Lease}; it expires by itself")]
    public static partial void LeaseNotReleased(ILogger logger, Exception exception, string @namespace, string lease);

    [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "Lease not fresh before a write; the pass stops: {Message}")]
    public static partial void LeaseNotFresh(ILogger logger, string message);

    // 5xx: informers.

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Watch of {Resource} expired ({Message}); re-listing")]
    public static partial void WatchExpired(ILogger logger, string resource, string message);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Watch of {Resource} failed; retrying in {Delay}")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string resource, TimeSpan delay);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Cannot decode {Kind} {Object}: {Problem}; it is skipped")]
    public static partial void InvalidObject(ILogger logger, string kind, string @object, string problem);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "List of {Resource} expired mid-way ({Message}); listing again from the start, {PageSize} per page (0 = unpaged)")]
    public static partial void ListExpired(ILogger logger, string resource, string message, int pageSize);
}
