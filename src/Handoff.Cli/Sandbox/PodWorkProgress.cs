using System.Globalization;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Lifecycle;
using k8s.Models;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// Where a workload Handoff schedules that is not a HandoffFunction stands for <c>--until-done</c>: a batch/v1 Job whose
/// template names Handoff (done when <c>Complete</c> or <c>Failed</c>; stuck when a pod of it is Unschedulable), or a
/// plain pod that names Handoff and has no Job (done when Succeeded or Failed; stuck when Unschedulable).
/// </summary>
internal sealed record PodWorkView(string Kind, string Key, bool Settled, bool Succeeded, string State);

/// <summary>Classifies Jobs and plain pods scheduled by Handoff for <c>--until-done</c>.</summary>
internal static class PodWorkProgress
{
    public static IReadOnlyList<PodWorkView> Classify(IEnumerable<V1Job> jobs, IEnumerable<V1Pod> pods, string schedulerName = HandoffApi.DefaultSchedulerName)
    {
        var handoffPods = pods.Where(p => p.Spec?.SchedulerName == schedulerName && p.Metadata.Labels?.ContainsKey(HandoffApi.FunctionLabel) != true).ToList();
        var views = new List<PodWorkView>();
        foreach (var job in jobs.Where(j => j.Spec?.Template?.Spec?.SchedulerName == schedulerName).OrderBy(KeyOf, StringComparer.Ordinal))
        {
            var counts = string.Create(CultureInfo.InvariantCulture,
                $"{job.Status?.Succeeded ?? 0}/{job.Spec.Completions?.ToString(CultureInfo.InvariantCulture) ?? "1"} succeeded");
            if (Condition(job, "Complete"))
            {
                views.Add(new PodWorkView("Job", KeyOf(job), true, true, $"Complete ({counts})"));
            }
            else if (Condition(job, "Failed"))
            {
                views.Add(new PodWorkView("Job", KeyOf(job), true, false, $"Failed ({counts}): {job.Status!.Conditions!.First(c => c.Type == "Failed").Reason}"));
            }
            else if (handoffPods.FirstOrDefault(p => OwnedBy(p, job) && Unschedulable(p)) is { } stuck)
            {
                views.Add(new PodWorkView("Job", KeyOf(job), true, false, $"stuck: pod {stuck.Metadata.Name} is {Reasons.Unschedulable}"));
            }
            else
            {
                views.Add(new PodWorkView("Job", KeyOf(job), false, false, $"running ({counts})"));
            }
        }

        foreach (var pod in handoffPods.Where(p => p.Metadata.OwnerReferences?.Any(o => o.Kind == "Job") != true).OrderBy(KeyOf, StringComparer.Ordinal))
        {
            var phase = pod.Status?.Phase ?? "Pending";
            views.Add(Unschedulable(pod) && phase == "Pending"
                ? new PodWorkView("Pod", KeyOf(pod), true, false, $"stuck: {Reasons.Unschedulable}")
                : new PodWorkView("Pod", KeyOf(pod), phase is "Succeeded" or "Failed", phase == "Succeeded", phase));
        }

        return views;
    }

    /// <summary>Summary lines for them (none when there are none).</summary>
    public static IEnumerable<string> Summary(IReadOnlyList<PodWorkView> views) =>
        views.Count == 0 ? [] : ["  Jobs and pods scheduled by Handoff:", .. views.Select(v => $"    {v.Kind} {v.Key}: {v.State}")];

    private static bool Condition(V1Job job, string type) => job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    private static bool OwnedBy(V1Pod pod, V1Job job) =>
        pod.Metadata.NamespaceProperty == job.Metadata.NamespaceProperty &&
        pod.Metadata.OwnerReferences?.Any(o => o.Kind == "Job" && o.Name == job.Metadata.Name && (o.Uid is null || o.Uid == job.Metadata.Uid)) == true;

    private static bool Unschedulable(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == Reasons.Unschedulable) == true;

    private static string KeyOf(V1Job job) => ObjectKeys.Of(job.Metadata.NamespaceProperty, job.Metadata.Name);

    private static string KeyOf(V1Pod pod) => ObjectKeys.Of(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
}
