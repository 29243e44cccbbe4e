using System.Text.Json;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Resources;
using Handoff.Operator.Controllers;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 3 of a pass (pure): the pods Handoff placed → each function's attempts (matched by owner UID, so a function
/// re-created under the same name never adopts an old pod) and the placements that hold capacity: every live pod that
/// is bound, or created and not yet bound, whether its function still exists or not — terminating and orphaned pods
/// included. Capacity is held by live pods; nothing else holds it.
/// </summary>
public sealed record PodView(IReadOnlyDictionary<string, IReadOnlyList<ObservedPod>> ByFunctionUid, IReadOnlyList<ObservedPod> Live)
{
    /// <summary>The function's pods (by its UID), empty when it has none.</summary>
    public IReadOnlyList<ObservedPod> Of(string? functionUid) =>
        functionUid is not null && ByFunctionUid.TryGetValue(functionUid, out var pods) ? pods : [];

    /// <summary>Pod keys (<c>namespace/name</c>) in use by any pod the snapshot holds.</summary>
    public required IReadOnlySet<string> Names { get; init; }

    /// <summary>Live pods created but not bound whose HandoffNode is gone: to be deleted (never leaked).</summary>
    public IReadOnlyList<ObservedPod> Stranded { get; init; } = [];

    public static PodView Build(ClusterSnapshot snapshot, NodeView nodes)
    {
        var byFunction = new Dictionary<string, List<ObservedPod>>(StringComparer.Ordinal);
        var live = new List<ObservedPod>();
        var stranded = new List<ObservedPod>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in snapshot.Pods)
        {
            var key = ObjectKeys.Of(pod.Metadata.NamespaceProperty ?? "", pod.Metadata.Name);
            names.Add(key);
            if (pod.Metadata.Labels?.ContainsKey(HandoffApi.FunctionLabel) != true)
            {
                continue;
            }

            var observed = Observe(pod, key, nodes);
            if (observed.OwnerUid is { } owner)
            {
                if (!byFunction.TryGetValue(owner, out var list))
                {
                    byFunction[owner] = list = [];
                }

                list.Add(observed);
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

        return new PodView(byFunction.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<ObservedPod>)kv.Value, StringComparer.Ordinal), live)
        {
            Names = names,
            Stranded = stranded,
        };
    }

    private static ObservedPod Observe(V1Pod pod, string key, NodeView nodes)
    {
        var annotated = FunctionPods.HandoffNodeOf(pod);
        var handoffNode = annotated is not null && nodes.Find(annotated)?.Info is not null ? annotated
            : pod.Spec?.NodeName is { Length: > 0 } nodeName ? nodes.HandoffNodeOf(nodeName)
            : null;
        return new ObservedPod(pod, FunctionPods.ToAttemptPod(pod, handoffNode))
        {
            Key = key,
            OwnerUid = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == HandoffApi.FunctionKind)?.Uid,
            HandoffNode = handoffNode,
            Cost = CostOf(pod),
        };
    }

    private static ResourceList? CostOf(V1Pod pod)
    {
        if (pod.Metadata.Annotations?.TryGetValue(HandoffApi.CostAnnotation, out var json) != true || json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { } map ? ResourceList.Parse(map) : null;
        }
        catch (Exception ex) when (ex is JsonException or ResourceValidationException)
        {
            return null;
        }
    }
}
