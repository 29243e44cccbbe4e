using System.Runtime.InteropServices;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;
using Handoff.Operator.Controllers;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 3 of a pass (pure): the cluster's pods → each function's attempts (matched by owner UID, so a function
/// re-created under the same name never adopts an old pod); the placements that hold capacity — every live pod Handoff
/// placed (a function's, or a plain pod it bound), bound or created and not yet bound, whether its function still
/// exists or not, terminating and orphaned pods included; what everyone else's live pods request on each Node
/// (<see cref="ExternalOf"/>: subtracted from Node-backed capacity); and the plain pods that wait for Handoff to place
/// them. Capacity is held by live pods; nothing else holds it.
/// </summary>
public sealed record PodView(IReadOnlyDictionary<string, IReadOnlyList<ObservedPod>> ByFunctionUid, IReadOnlyList<ObservedPod> Live)
{
    /// <summary>The function's pods (by its UID), empty when it has none.</summary>
    public IReadOnlyList<ObservedPod> Of(string? functionUid) =>
        functionUid is not null && ByFunctionUid.TryGetValue(functionUid, out var pods) ? pods : [];

    /// <summary>Whether a pod the snapshot holds has this key (<c>namespace/name</c>): a new pod must not take it.</summary>
    public required Func<string, bool> NameTaken { get; init; }

    /// <summary>Live pods created but not bound whose HandoffNode is gone: to be deleted (never leaked).</summary>
    public IReadOnlyList<ObservedPod> Stranded { get; init; } = [];

    /// <summary>Plain pods that name Handoff as their scheduler and are not bound yet, in creation order.</summary>
    public IReadOnlyList<PlainPod> Pending { get; init; } = [];

    /// <summary>Per Kubernetes Node: what the live pods Handoff did not place request there (each counting one <c>pods</c>).</summary>
    public IReadOnlyDictionary<string, ResourceList> External { get; init; } = new Dictionary<string, ResourceList>();

    /// <summary>What everyone else's live pods request on a Kubernetes Node (empty for none).</summary>
    public ResourceList ExternalOf(string kubernetesNode) => External.GetValueOrDefault(kubernetesNode) ?? ResourceList.Empty;

    /// <summary>
    /// Builds the view. <paramref name="memos"/> (the term's) keeps each pod's observation from pass to pass, so only
    /// the pods that changed are observed again; without it every pod is (the same view). The view answers
    /// <see cref="NameTaken"/> from the memos, so it is read within its pass.
    /// </summary>
    public static PodView Build(
        ClusterSnapshot snapshot, NodeView nodes, string schedulerName = HandoffApi.DefaultSchedulerName, AllocationStrategy defaultStrategy = AllocationStrategy.FirstAvailable,
        PodMemos? memos = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(nodes);
        memos ??= new PodMemos();
        memos.BeginPass(nodes);

        // One entry per function on every pass, and a function has one pod but while it retries: a one-pod list kept
        // with the pod's observation, grown when a second pod comes, and the dictionary handed on as it is.
        var byFunction = new Dictionary<string, IReadOnlyList<ObservedPod>>(snapshot.Functions.Count, StringComparer.Ordinal);
        var live = new List<ObservedPod>();
        var stranded = new List<ObservedPod>();
        var pending = new List<PlainPod>();
        var external = new Dictionary<string, ResourceList>(StringComparer.Ordinal);
        foreach (var pod in snapshot.Pods)
        {
            var key = pod.Key;
            var memo = memos.Of(pod, key);
            var role = pod.RoleFor(schedulerName);
            switch (role)
            {
                case PodRole.External:
                    var node = pod.NodeName!;
                    external[node] = (external.GetValueOrDefault(node) ?? ResourceList.Empty).Add(pod.HoldingAs(role)!);
                    continue;
                case PodRole.WaitingForHandoff:
                    pending.Add(Plain(pod, key, defaultStrategy));
                    continue;
                case PodRole.Finished or PodRole.OtherScheduler:
                    continue;
            }

            var observed = memo.Observed ??= Observe(pod, key, nodes, pod.HoldingAs(role));
            if (role == PodRole.FunctionPod && observed.OwnerUid is { } owner)
            {
                ref var pods = ref CollectionsMarshal.GetValueRefOrAddDefault(byFunction, owner, out var earlier);
                pods = earlier ? [.. pods!, observed] : memo.Alone ??= [observed];
            }

            if (observed.Live && observed.HandoffNode is not null)
            {
                live.Add(observed);
            }
            else if (observed.Live && !observed.Attempt.Bound)
            {
                // Created for a HandoffNode that is gone (or not usable): its capacity can never be taken again.
                stranded.Add(observed);
            }
        }

        memos.EndPass();
        return new PodView(byFunction, live)
        {
            NameTaken = memos.WasSeen,
            Stranded = stranded,
            Pending = [.. pending.OrderBy(p => p.Record.Metadata.CreationTimestamp).ThenBy(p => p.Key, StringComparer.Ordinal)],
            External = external,
        };
    }

    private static PlainPod Plain(PodRecord pod, string key, AllocationStrategy defaultStrategy)
    {
        try
        {
            return new PlainPod(pod, key) { Mapped = PodMapper.ToPlainPod(pod.Source!, defaultStrategy) };
        }
        catch (ManifestValidationException ex)
        {
            return new PlainPod(pod, key) { Problem = ex.Message };
        }
    }

    private static ObservedPod Observe(PodRecord pod, string key, NodeView nodes, ResourceList? cost)
    {
        var annotated = pod.HandoffNode;
        var annotatedInfo = annotated is null ? null : nodes.Find(annotated)?.Info;
        var handoffNode = annotatedInfo is not null ? annotated
            : pod.NodeName is { } nodeName ? nodes.HandoffNodeOf(nodeName)
            : null;
        var attempt = pod.Attempt!;
        var node = handoffNode ?? annotated;
        var info = annotatedInfo ?? (handoffNode is null ? null : nodes.Find(handoffNode)?.Info);
        return new ObservedPod(pod, attempt.Node == node ? attempt : attempt with { Node = node })
        {
            Key = key,
            OwnerUid = pod.OwnerUid,
            HandoffNode = handoffNode,
            Cost = cost,
            Placement = info is null || cost is null || attempt.IsTerminal ? null
                : new LivePlacement(key, info.Name, NodeEligibility.CostOn(cost, info), attempt.Bound, attempt.Created),
        };
    }
}
