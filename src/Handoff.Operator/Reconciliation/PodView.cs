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
public sealed class PodView
{
    private readonly PodMemos _memos;
    private IReadOnlyList<ObservedPod>? _live;
    private IReadOnlyList<ObservedPod>? _stranded;

    private PodView(PodMemos memos, HoldingChanges? changes, int build)
    {
        _memos = memos;
        Changes = changes;
        BuildNumber = build;
    }

    /// <summary>Each function's pods (by its UID).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ObservedPod>> ByFunctionUid => _memos.ByFunction;

    /// <summary>The live pods that hold capacity on a HandoffNode, in key order.</summary>
    public IReadOnlyList<ObservedPod> Live => _live ??= _memos.Live();

    /// <summary>The function's pods (by its UID), empty when it has none.</summary>
    public IReadOnlyList<ObservedPod> Of(string? functionUid) =>
        functionUid is not null && _memos.ByFunction.TryGetValue(functionUid, out var pods) ? pods : [];

    /// <summary>Whether a pod the snapshot holds has this key (<c>namespace/name</c>): a new pod must not take it.</summary>
    public bool NameTaken(string key) => _memos.WasSeen(key);

    /// <summary>Live pods created but not bound whose HandoffNode is gone: to be deleted (never leaked).</summary>
    public IReadOnlyList<ObservedPod> Stranded => _stranded ??= _memos.Stranded();

    /// <summary>Plain pods that name Handoff as their scheduler and are not bound yet, in creation order.</summary>
    public IReadOnlyList<PlainPod> Pending => _memos.Pending();

    /// <summary>Per Kubernetes Node: what the live pods Handoff did not place request there (each counting one <c>pods</c>).</summary>
    public IReadOnlyDictionary<string, ResourceList> External => _memos.External;

    /// <summary>What everyone else's live pods request on a Kubernetes Node (empty for none).</summary>
    public ResourceList ExternalOf(string kubernetesNode) => _memos.External.GetValueOrDefault(kubernetesNode) ?? ResourceList.Empty;

    /// <summary>The live pod holding capacity under this holder key, or null.</summary>
    public ObservedPod? LiveOf(string key) => _memos.LiveOf(key);

    /// <summary>The live pods on a HandoffNode that are not bound yet.</summary>
    public IReadOnlyCollection<ObservedPod> Unbound => _memos.Unbound;

    /// <summary>The live pods on a HandoffNode whose cost is not recorded (their function's cost is used).</summary>
    public IReadOnlyCollection<ObservedPod> Uncosted => _memos.Uncosted;

    /// <summary>What changed since the view <see cref="HoldingChanges.Since"/> of the same memos; null when not known.</summary>
    public HoldingChanges? Changes { get; }

    /// <summary>Which build of its memos this view is (the next one's <see cref="HoldingChanges.Since"/>).</summary>
    public int BuildNumber { get; }

    /// <summary>
    /// Builds the view. <paramref name="memos"/> (the term's) keeps the view from pass to pass, so only the pods that
    /// changed are looked at again; without it every pod is (the same view). The view answers from the memos, so it is
    /// read within its pass: the next build changes what it answers.
    /// </summary>
    public static PodView Build(
        ClusterSnapshot snapshot, NodeView nodes, string schedulerName = HandoffApi.DefaultSchedulerName, AllocationStrategy defaultStrategy = AllocationStrategy.FirstAvailable,
        PodMemos? memos = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(nodes);
        memos ??= new PodMemos();
        var changes = memos.Update(snapshot, nodes, schedulerName, defaultStrategy);
        return new PodView(memos, changes, memos.Builds);
    }

    internal static PlainPod Plain(PodRecord pod, string key, AllocationStrategy defaultStrategy)
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

    internal static ObservedPod Observe(PodRecord pod, string key, NodeView nodes, ResourceList? cost)
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
