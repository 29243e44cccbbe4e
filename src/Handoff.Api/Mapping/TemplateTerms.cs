using System.Collections.Concurrent;
using Handoff.Core.Nodes;
using Handoff.Core.Resources;
using Handoff.Core.Workloads;
using k8s.Models;

namespace Handoff.Api.Mapping;

/// <summary>
/// What a function takes from its pod template alone: what the pod requests and limits (and its effective request),
/// the taints it tolerates and the node affinity it requires. Functions made from one template (a generator's, or equal
/// templates the operator keeps once) share one of these (<see cref="SharedSpecMemo"/>).
/// </summary>
public sealed class TemplateTerms
{
    /// <summary>Costs completed by this template, kept for the few costs its functions declare (most declare one or two).</summary>
    private const int EffectiveCostsKept = 64;

    private readonly ConcurrentDictionary<ResourceList, ResourceList> _effectiveCosts = new();

    private TemplateTerms(PodResources resources, IReadOnlyList<Toleration> tolerations, RequiredNodeAffinity? affinity)
    {
        Resources = resources;
        Tolerations = tolerations;
        Affinity = affinity;
        EffectiveRequest = resources.Containers.Count == 0 ? ResourceList.Empty : PodRequests.Effective(resources);
    }

    public PodResources Resources { get; }

    public IReadOnlyList<Toleration> Tolerations { get; }

    public RequiredNodeAffinity? Affinity { get; }

    /// <summary>The pod's effective request (<see cref="PodRequests.Effective"/>).</summary>
    public ResourceList EffectiveRequest { get; }

    /// <summary>The terms of <paramref name="spec"/>; errors name <paramref name="what"/> and the field.</summary>
    public static TemplateTerms Of(string what, V1PodSpec? spec) => new(
        KubernetesMapper.ResourcesOf(what, "spec.template.spec", spec),
        KubernetesMapper.TolerationsOf(spec),
        KubernetesMapper.AffinityOf(spec));

    /// <summary>
    /// What a function of this template declaring <paramref name="declared"/> holds: the cost completed by the pod's
    /// request (<see cref="EffectiveCost"/>), or the cost alone when the template has no containers.
    /// </summary>
    public ResourceList EffectiveCostOf(ResourceList declared)
    {
        ArgumentNullException.ThrowIfNull(declared);
        if (Resources.Containers.Count == 0)
        {
            return declared;
        }

        if (_effectiveCosts.TryGetValue(declared, out var known))
        {
            return known;
        }

        var cost = EffectiveCost.Of(declared, EffectiveRequest);
        if (_effectiveCosts.Count < EffectiveCostsKept)
        {
            _effectiveCosts.TryAdd(declared, cost);
        }

        return cost;
    }
}
