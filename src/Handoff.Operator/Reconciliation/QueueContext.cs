using Handoff.Api.Mapping;
using Handoff.Core;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// What the queueing rules of one pass read (api.md, "Queues"): every HandoffQueue in Core's terms (inactive ones
/// too: their <see cref="QueueQuota.Problems"/> say why), PriorityClass values, namespaces' labels.
/// </summary>
public sealed record QueueContext(
    IReadOnlyDictionary<string, QueueQuota> Queues,
    IReadOnlyDictionary<string, int> PriorityClasses,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels)
{
    public static QueueContext Empty { get; } = new(
        new Dictionary<string, QueueQuota>(), new Dictionary<string, int>(), new Dictionary<string, IReadOnlyDictionary<string, string>>());

    /// <summary>The queues whose spec is valid: the ones the cycle admits through.</summary>
    public IReadOnlyDictionary<string, QueueQuota> ActiveQueues { get; } =
        Queues.Values.Where(q => q.Problems().Count == 0).ToDictionary(q => q.Name, StringComparer.Ordinal);

    public static QueueContext From(ClusterSnapshot snapshot) => new(
        QueueMapper.ToQueues(snapshot.Queues), QueueMapper.ToPriorityClasses(snapshot.PriorityClasses), snapshot.NamespaceLabels);

    /// <summary>A namespace's labels; when the namespace is not (yet) known, the one label every namespace has.</summary>
    public IReadOnlyDictionary<string, string> LabelsOf(string @namespace) =>
        NamespaceLabels.GetValueOrDefault(@namespace) ?? QueueAdmission.LabelsOfNamespace(@namespace);

    /// <summary>A priority as written, resolved (an unknown class counts as 0: what holds capacity is not blocked).</summary>
    public int PriorityOf(SchedulingTraits traits) => QueueAdmission.Priority(traits.Priority, traits.PriorityClassName, PriorityClasses).Priority;

    /// <summary>
    /// The gangs of the functions: each member's state (holding capacity or succeeded = placed; failed, or failed by its
    /// dependencies = failed; else unplaced).
    /// </summary>
    public static GangBook GangsOf(IReadOnlyList<FunctionView> functions, DependencyState[] dependencies)
    {
        var members = new List<GangMember>();
        for (var i = 0; i < functions.Count; i++)
        {
            var f = functions[i];
            if (f.Mapped?.Traits.Gang is not { } gang)
            {
                continue;
            }

            var state = f.State switch
            {
                Core.Lifecycle.Active or Succeeded => GangMemberState.Placed,
                Failed => GangMemberState.Failed,
                _ when dependencies[i].FailsFunction => GangMemberState.Failed,
                _ => GangMemberState.Unplaced,
            };
            members.Add(new GangMember(f.Key, gang.Key, gang.MinMembers, state));
        }

        return new GangBook(members);
    }

    /// <summary>
    /// What holds capacity now, for quota, fair share and preemption: every live pod Handoff placed on a HandoffNode. A
    /// function's current pod counts under its function (queue, priority, gang); a pod being deleted (terminating, or its
    /// function preempted) is leaving; a pod that is no current attempt of a function (an orphan, an old attempt) is never
    /// evicted.
    /// </summary>
    public IReadOnlyList<AdmittedWorkload> AdmittedOf(PodView pods, IReadOnlyList<FunctionView> functions)
    {
        var byUid = new Dictionary<string, FunctionView>(StringComparer.Ordinal);
        foreach (var f in functions)
        {
            if (f.Object.Metadata.Uid is { } uid)
            {
                byUid[uid] = f;
            }
        }

        var admitted = new List<AdmittedWorkload>(pods.Live.Count);
        foreach (var pod in pods.Live)
        {
            var node = pod.HandoffNode!;
            if (pod.OwnerUid is { } owner && byUid.TryGetValue(owner, out var f) && f.Mapped is { } mapped
                && f.State is Active active && active.Pod.Name == pod.Attempt.Name)
            {
                admitted.Add(new AdmittedWorkload(f.Key, pod.Key, node, pod.Cost ?? mapped.Placement.Cost)
                {
                    Priority = PriorityOf(mapped.Traits),
                    Queue = Known(mapped.Traits.Queue),
                    Gang = mapped.Traits.Gang?.Key,
                    Terminating = pod.Attempt.Terminating || active.Preempted,
                });
                continue;
            }

            if (pod.OwnerUid is null && PlainTraitsOf(pod) is { } traits)
            {
                admitted.Add(new AdmittedWorkload(PodMapper.WorkloadId(ObjectKeys.NamespaceOf(pod.Key), ObjectKeys.NameOf(pod.Key)), pod.Key, node, pod.Cost ?? ResourceList.Empty)
                {
                    Kind = WorkloadKind.Pod,
                    Priority = PriorityOf(traits),
                    Queue = Known(traits.Queue),
                    Terminating = pod.Attempt.Terminating,
                });
                continue;
            }

            admitted.Add(new AdmittedWorkload("pod:" + pod.Key, pod.Key, node, pod.Cost ?? ResourceList.Empty)
            {
                Terminating = pod.Attempt.Terminating,
                Preemptible = false,
            });
        }

        return admitted;
    }

    // A plain pod Handoff bound (no function label); its traits as the pod says them, when they can be read.
    private static SchedulingTraits? PlainTraitsOf(ObservedPod pod)
    {
        if (pod.Pod.IsFunctionPod)
        {
            return null;
        }

        try
        {
            return pod.Pod.Source is { } source ? QueueMapper.TraitsOf(source) : SchedulingTraits.None;
        }
        catch (ManifestValidationException)
        {
            return SchedulingTraits.None;
        }
    }

    private string? Known(string? queue) => queue is not null && Queues.ContainsKey(queue) ? queue : null;
}
