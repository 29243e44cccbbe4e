using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Nodes;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using k8s.Models;

namespace Handoff.Api.Mapping;

/// <summary>
/// HandoffQueues, PriorityClasses and the queueing fields of functions and plain pods in Core's terms (api.md, "Queues,
/// priorities, gangs, preemption"), shared by the operator and <c>handoff plan</c>.
/// </summary>
public static class QueueMapper
{
    /// <summary>
    /// A HandoffQueue's spec. What cannot be read (a quantity that does not parse) is kept in
    /// <see cref="QueueQuota.SpecProblems"/>, so the queue is inactive with a clear reason instead of lost.
    /// </summary>
    public static QueueQuota ToQueue(HandoffQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var spec = queue.Spec ?? new HandoffQueueSpec();
        var what = $"{HandoffApi.QueueKind} {queue.Metadata?.Name}";
        var problems = new List<string>();
        ResourceList Read(string field, IDictionary<string, string>? map)
        {
            try
            {
                return HandoffMapper.ParseResources(what, field, map);
            }
            catch (ManifestValidationException e)
            {
                problems.Add($"{e.Field}: {e.Problem}");
                return ResourceList.Empty;
            }
        }

        var weight = QueueQuota.DefaultWeightMilli;
        if (!string.IsNullOrEmpty(spec.Weight))
        {
            try
            {
                weight = ResourceList.ParseQuantity("weight", spec.Weight);
            }
            catch (ResourceValidationException e)
            {
                problems.Add($"spec.weight: {e.Message}");
            }
        }

        var strategy = spec.QueueingStrategy switch
        {
            null or "" or QueueingStrategies.BestEffortFIFO => QueueingStrategy.BestEffortFIFO,
            QueueingStrategies.StrictFIFO => QueueingStrategy.StrictFIFO,
            var other => Unsupported(problems, "spec.queueingStrategy", other, QueueingStrategy.BestEffortFIFO),
        };
        return new QueueQuota(queue.Metadata?.Name ?? "")
        {
            Quota = Read("spec.quota", spec.Quota),
            BorrowingLimit = Read("spec.borrowingLimit", spec.BorrowingLimit),
            Cohort = string.IsNullOrEmpty(spec.Cohort) ? null : spec.Cohort,
            WeightMilli = weight,
            Strategy = strategy,
            NamespaceSelector = spec.NamespaceSelector is null ? LabelSelector.Everything : ToSelector(spec.NamespaceSelector),
            SpecProblems = problems,
        };
    }

    /// <summary>The queues by name.</summary>
    public static Dictionary<string, QueueQuota> ToQueues(IEnumerable<HandoffQueue> queues) =>
        queues.Select(ToQueue).Where(q => q.Name.Length > 0).ToDictionary(q => q.Name, StringComparer.Ordinal);

    /// <summary>PriorityClass name → value.</summary>
    public static Dictionary<string, int> ToPriorityClasses(IEnumerable<V1PriorityClass> classes) =>
        classes.Where(c => !string.IsNullOrEmpty(c.Metadata?.Name)).ToDictionary(c => c.Metadata.Name, c => c.Value ?? 0, StringComparer.Ordinal);

    /// <summary>A Kubernetes label selector in Core's terms.</summary>
    public static LabelSelector ToSelector(V1LabelSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new LabelSelector(
            new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            [.. (selector.MatchExpressions ?? []).Select(e => new LabelSelectorRequirement(e.Key, e.OperatorProperty, [.. e.Values ?? []]))]);
    }

    /// <summary>A function's queue, priority, gang and preemption policy.</summary>
    public static SchedulingTraits TraitsOf(HandoffFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var spec = function.Spec ?? new HandoffFunctionSpec();
        var what = HandoffMapper.Describe(function);
        GangRef? gang = null;
        if (spec.Gang is { } g)
        {
            if (string.IsNullOrEmpty(g.Name))
            {
                throw new ManifestValidationException(what, "spec.gang.name", "Required value");
            }

            if (g.MinMembers < 1)
            {
                throw new ManifestValidationException(what, "spec.gang.minMembers", $"Invalid value: {g.MinMembers}: must be greater than or equal to 1");
            }

            gang = new GangRef(ObjectKeys.Of(HandoffMapper.NamespaceOf(function), g.Name), g.MinMembers);
        }

        var traits = new SchedulingTraits
        {
            Queue = string.IsNullOrEmpty(spec.Queue) ? null : spec.Queue,
            Priority = spec.Priority,
            PriorityClassName = string.IsNullOrEmpty(spec.PriorityClassName) ? null : spec.PriorityClassName,
            Gang = gang,
            MayPreempt = MayPreempt(what, "spec.preemptionPolicy", spec.PreemptionPolicy),
        };

        // Most functions say nothing about queueing: they share the one default instead of holding a copy each.
        return traits == SchedulingTraits.None ? SchedulingTraits.None : traits;
    }

    /// <summary>
    /// A plain pod's queue (annotation <c>handoff.dev/queue</c>), priority (<c>spec.priority</c>, which the API server
    /// fills from <c>priorityClassName</c>; the class's value when it did not) and <c>spec.preemptionPolicy</c>.
    /// </summary>
    public static SchedulingTraits TraitsOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var what = $"Pod {pod.Metadata?.NamespaceProperty}/{pod.Metadata?.Name}";
        var queue = pod.Metadata?.Annotations?.TryGetValue(HandoffApi.QueueAnnotation, out var named) == true ? named : null;
        return new SchedulingTraits
        {
            Queue = string.IsNullOrEmpty(queue) ? null : queue,
            Priority = pod.Spec?.Priority,
            PriorityClassName = string.IsNullOrEmpty(pod.Spec?.PriorityClassName) ? null : pod.Spec.PriorityClassName,
            MayPreempt = MayPreempt(what, "spec.preemptionPolicy", pod.Spec?.PreemptionPolicy),
        };
    }

    private static bool MayPreempt(string what, string field, string? policy) => policy switch
    {
        null or "" or PreemptionPolicies.PreemptLowerPriority => true,
        PreemptionPolicies.Never => false,
        _ => throw new ManifestValidationException(what, field,
            $"Unsupported value: \"{policy}\": supported values: \"{PreemptionPolicies.PreemptLowerPriority}\", \"{PreemptionPolicies.Never}\""),
    };

    private static T Unsupported<T>(List<string> problems, string field, string value, T fallback)
    {
        problems.Add($"{field}: Unsupported value: \"{value}\": supported values: \"{QueueingStrategies.BestEffortFIFO}\", \"{QueueingStrategies.StrictFIFO}\"");
        return fallback;
    }
}
