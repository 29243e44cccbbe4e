namespace Handoff.Core.Lifecycle;

/// <summary>
/// The CamelCase reasons of conditions, status messages, plan output and Events: one list for every layer.
/// </summary>
public static class Reasons
{
    // Placement.
    public const string Scheduled = "Scheduled";
    public const string FailedScheduling = "FailedScheduling";
    public const string Unschedulable = "Unschedulable";
    public const string WaitingForCollocation = "WaitingForCollocation";
    public const string NodeRejected = "NodeRejected";
    public const string Preempted = "Preempted";
    public const string Preempting = "Preempting";
    public const string QuotaExceeded = "QuotaExceeded";
    public const string GangWaiting = "GangWaiting";
    public const string GangFailed = "GangFailed";
    public const string BlockedByQueueHead = "BlockedByQueueHead";
    public const string UnknownPriorityClass = "UnknownPriorityClass";
    public const string UnknownQueue = "UnknownQueue";
    public const string QueueInactive = "QueueInactive";
    public const string NamespaceNotAllowed = "NamespaceNotAllowed";

    // Attempts.
    public const string Retrying = "Retrying";
    public const string PodTerminating = "PodTerminating";
    public const string RetriesExhausted = "RetriesExhausted";
    public const string InvalidTemplate = "InvalidTemplate";
    public const string InvalidSpec = "InvalidSpec";
    public const string InputTooLarge = "InputTooLarge";

    // Dependencies.
    public const string WaitingForDependencies = "WaitingForDependencies";
    public const string DependenciesSucceeded = "DependenciesSucceeded";
    public const string UnknownDependency = "UnknownDependency";
    public const string DependencyFailed = "DependencyFailed";
    public const string DependencyCycle = "DependencyCycle";

    /// <summary>A Job's pod that is not created yet (plan only: the Job controller creates it after earlier pods succeed).</summary>
    public const string WaitingForJob = "WaitingForJob";

    // Outcomes.
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";

    // Nodes.
    public const string NodeReady = "NodeReady";
    public const string NodeNotReady = "NodeNotReady";
    public const string NodeNotFound = "NodeNotFound";
    public const string DuplicateNode = "DuplicateNode";
    public const string Overcommitted = "Overcommitted";
    public const string WithinCapacity = "WithinCapacity";
    public const string SuspiciousQuantity = "SuspiciousQuantity";

    // Objects the operator cannot read.
    public const string InvalidObject = "InvalidObject";
}
