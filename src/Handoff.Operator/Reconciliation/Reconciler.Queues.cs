using System.Collections.Concurrent;
using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;

namespace Handoff.Operator.Reconciliation;

/// <summary>The reconciler's part of api.md, "Queues": evictions, partial gangs left by a restart, per-queue metrics.</summary>
public sealed partial class Reconciler
{
    /// <summary>
    /// Per-queue gauges; a resource a queue no longer uses drops to 0, and a queue that is gone loses its series. What
    /// is cleaned up is read from the gauges themselves, not from what this term set: a series left by an earlier term
    /// (leadership lost and won again between a queue's deletion and the next pass) goes too.
    /// </summary>
    private void UpdateQueueMetrics(IReadOnlyList<QueueReport> reports)
    {
        var byName = reports.ToDictionary(r => r.Name, StringComparer.Ordinal);
        foreach (var report in reports)
        {
            metrics.QueuePending.WithLabels(report.Name).Set(report.Pending);
            metrics.QueueAdmitted.WithLabels(report.Name).Set(report.Admitted);
            foreach (var (resource, milli) in report.Usage)
            {
                metrics.QueueUsage.WithLabels(report.Name, resource).Set(milli / 1000.0);
            }
        }

        foreach (var gauge in new[] { metrics.QueuePending, metrics.QueueAdmitted })
        {
            foreach (var labels in gauge.GetAllLabelValues().Where(l => !byName.ContainsKey(l[0])).ToList())
            {
                gauge.RemoveLabelled(labels);
            }
        }

        foreach (var labels in metrics.QueueUsage.GetAllLabelValues().ToList())
        {
            if (!byName.TryGetValue(labels[0], out var report))
            {
                metrics.QueueUsage.RemoveLabelled(labels);
            }
            else if (!report.Usage.Contains(labels[1]))
            {
                metrics.QueueUsage.WithLabels(labels).Set(0);
            }
        }
    }

    /// <summary>
    /// The gang of an unbound pod left by a gang placement cut short, when that gang is not whole: its members holding
    /// capacity plus those placed in this pass stay under minMembers. Null otherwise (the pod is bound as usual).
    /// </summary>
    private static string? PartialGangOf(
        ObservedPod pod, Dictionary<string, FunctionView> byUid, SchedulingOutcome scheduling, Dictionary<string, int> placedPerGang) =>
        pod.OwnerUid is { } owner && byUid.GetValueOrDefault(owner)?.Mapped?.Traits.Gang is { } gang
        && scheduling.Gangs.Placed(gang.Key) + placedPerGang.GetValueOrDefault(gang.Key) < scheduling.Gangs.MinMembers(gang.Key)
            ? gang.Key
            : null;

    /// <summary>
    /// The evictions the cycle decided (api.md, "Queues", rule 4): each victim function's status says Preempted (with its
    /// attempt, so the attempt is not used up) before its pod is deleted, and a Preempted Event names the preemptor; a
    /// plain pod victim is deleted (its controller makes another, as with kube-scheduler). Returns the victims' reports.
    /// </summary>
    private ConcurrentDictionary<string, FunctionReport> PreemptionActions(
        SchedulingOutcome scheduling, Dictionary<string, FunctionView> byKey, PodView podView, List<Func<CancellationToken, Task>> actions)
    {
        var preempted = new ConcurrentDictionary<string, FunctionReport>(StringComparer.Ordinal);
        foreach (var preemption in scheduling.Cycle.Preemptions)
        {
            var message = preemption.VictimMessage;
            var ev = new EventReport("Normal", Reasons.Preempted, message);
            foreach (var victim in preemption.Victims)
            {
                Log.Preempting(logger, victim.Id, victim.Priority, preemption.Node, preemption.Preemptor.Id, preemption.Preemptor.Priority);
                metrics.QueuePreemptions.WithLabels(victim.Queue ?? "").Inc();
                if (victim.Kind == WorkloadKind.Function && byKey.GetValueOrDefault(victim.Id) is { State: Active active, LivePod: { } live } f)
                {
                    var report = StatusReportStep.Preempted(f, active, message);
                    preempted[f.Key] = report;
                    actions.Add(async ct =>
                    {
                        // The status first: a restart after it still deletes the pod, and the attempt is kept.
                        if (await writer.WriteFunctionAsync(f, report, ct) == WriteResult.Stale)
                        {
                            return;
                        }

                        await writer.RecordOnceAsync(f, ev, ct);
                        await actuator.DeletePodAsync(live.Pod, message, ct);
                    });
                }
                else if (podView.Live.FirstOrDefault(p => p.Key == victim.Holder) is { } pod)
                {
                    actions.Add(async ct =>
                    {
                        await writer.RecordPodEventAsync(pod.Pod.Metadata, ev, ct);
                        await actuator.DeletePodAsync(pod.Pod, message, ct);
                    });
                }
            }
        }

        return preempted;
    }
}
