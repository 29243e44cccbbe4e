namespace Handoff.Operator;

/// <summary>The operator's log lines, with event ids (the decision points of a pass among them).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Function {Function} is {Phase} ({Reason}) on {Node}: {Message}")]
    public static partial void FunctionState(ILogger logger, string function, string phase, string reason, string node, string message);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Bound pod {Namespace}/{Pod} to node {Node}")]
    public static partial void PodBound(ILogger logger, string @namespace, string pod, string node);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Deleted pod {Namespace}/{Pod}: {Reason}")]
    public static partial void PodDeleted(ILogger logger, string @namespace, string pod, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Status of {Object} not written ({Result}): it changed since this pass read it; the next pass reads it again")]
    public static partial void StatusStale(ILogger logger, string @object, string result);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Reconcile pass failed; retrying with back-off")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Leading: rebuilding the tracker from the cluster")]
    public static partial void Leading(ILogger logger);

    [LoggerMessage(EventId = 7, Level = LogLevel.Critical, Message = "The operator loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Cannot decode {Kind} {Object}: {Problem}; it is skipped")]
    public static partial void InvalidObject(ILogger logger, string kind, string @object, string problem);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Lease not fresh before a write; the pass stops: {Message}")]
    public static partial void LeaseNotFresh(ILogger logger, string message);
}
