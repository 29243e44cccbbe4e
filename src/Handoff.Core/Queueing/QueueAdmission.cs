using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;

namespace Handoff.Core.Queueing;

/// <summary>Why a ready workload is kept out of the scheduling cycle: a reason (<c>Reasons</c>) and its message.</summary>
public sealed record AdmissionBlock(string Reason, string Message);

/// <summary>
/// What is decided about a ready workload before the scheduling cycle sees it, the same way for the operator and the
/// planner: whether the HandoffQueue it names exists, is active and admits its namespace, and its priority.
/// </summary>
public static class QueueAdmission
{
    /// <summary>The label every namespace carries (the API server sets it): all a plan knows of a namespace.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The labels of a namespace known only by its name.</summary>
    public static IReadOnlyDictionary<string, string> LabelsOfNamespace(string @namespace) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = @namespace };

    /// <summary>
    /// Null when a workload of <paramref name="namespace"/> may use <paramref name="queue"/> (or names none); else why
    /// not: no such queue (<c>UnknownQueue</c>), its spec is invalid (<c>QueueInactive</c>), or its namespaceSelector
    /// does not match the namespace's labels (<c>NamespaceNotAllowed</c>). It waits Pending until that changes.
    /// </summary>
    public static AdmissionBlock? CheckQueue(
        string? queue, string @namespace, IReadOnlyDictionary<string, string> namespaceLabels, IReadOnlyDictionary<string, QueueQuota> queues)
    {
        ArgumentNullException.ThrowIfNull(namespaceLabels);
        ArgumentNullException.ThrowIfNull(queues);
        if (string.IsNullOrEmpty(queue))
        {
            return null;
        }

        if (!queues.TryGetValue(queue, out var spec))
        {
            return new AdmissionBlock(Reasons.UnknownQueue, Messages.UnknownQueue(queue));
        }

        if (spec.Problems() is { Count: > 0 } problems)
        {
            return new AdmissionBlock(Reasons.QueueInactive, Messages.QueueInactive(queue, problems));
        }

        return spec.NamespaceSelector.Matches(namespaceLabels) ? null : new AdmissionBlock(Reasons.NamespaceNotAllowed, Messages.NamespaceNotAllowed(queue, @namespace));
    }

    /// <summary>
    /// A function's priority: <c>spec.priority</c> when set, else the value of its <c>priorityClassName</c>'s
    /// PriorityClass, else 0. A class that does not exist keeps it Pending (<c>UnknownPriorityClass</c>), with the
    /// API server's words, until it is created.
    /// </summary>
    public static (int Priority, AdmissionBlock? Block) Priority(int? priority, string? priorityClassName, IReadOnlyDictionary<string, int> priorityClasses)
    {
        ArgumentNullException.ThrowIfNull(priorityClasses);
        if (priority is { } explicitPriority)
        {
            return (explicitPriority, null);
        }

        if (string.IsNullOrEmpty(priorityClassName))
        {
            return (0, null);
        }

        return priorityClasses.TryGetValue(priorityClassName, out var value)
            ? (value, null)
            : (0, new AdmissionBlock(Reasons.UnknownPriorityClass, Messages.UnknownPriorityClass(priorityClassName)));
    }

    /// <summary>
    /// A ready workload as the cycle takes it: <paramref name="workload"/> (placement, strategy, queue order) with the
    /// queue, priority, gang and preemption policy of <paramref name="traits"/>; or why it waits outside the cycle (its
    /// queue: <see cref="CheckQueue"/>; its PriorityClass: <see cref="Priority"/>).
    /// </summary>
    public static (Workload Workload, AdmissionBlock? Block) Admit(
        Workload workload, SchedulingTraits traits, string @namespace, IReadOnlyDictionary<string, string> namespaceLabels,
        IReadOnlyDictionary<string, QueueQuota> queues, IReadOnlyDictionary<string, int> priorityClasses)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(traits);
        var (priority, block) = Priority(traits.Priority, traits.PriorityClassName, priorityClasses);
        var admitted = workload with
        {
            Priority = priority,
            Queue = string.IsNullOrEmpty(traits.Queue) ? null : traits.Queue,
            Gang = traits.Gang,
            MayPreempt = traits.MayPreempt,
        };
        block ??= CheckQueue(traits.Queue, @namespace, namespaceLabels, queues);
        return (admitted, block);
    }
}
