using Handoff.Core.Nodes;
using Handoff.Core.Resources;
using Handoff.Core.Workloads;
using k8s.Models;

namespace Handoff.Cli.Cluster;

/// <summary>
/// Kubernetes API objects as Handoff.Core's rules take them (taints, tolerations, node affinity, pod resources): data
/// only, every rule stays in Core. (Handoff.Api's mapping has no such conversions yet; when it has, use those.)
/// </summary>
internal static class CoreModels
{
    public static IReadOnlyList<Taint> Taints(V1Node? node) =>
        [.. (node?.Spec?.Taints ?? []).Select(t => new Taint(t.Key ?? "", t.Value ?? "", t.Effect ?? ""))];

    public static IReadOnlyList<Toleration> Tolerations(V1PodSpec? spec) =>
        [.. (spec?.Tolerations ?? []).Select(t => new Toleration(t.Key ?? "", t.OperatorProperty ?? "", t.Value ?? "", t.Effect ?? "", t.TolerationSeconds))];

    public static LabeledNode Labeled(V1Node node) =>
        new(node.Metadata.Name, new Dictionary<string, string>(node.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal));

    public static RequiredNodeAffinity Affinity(V1PodSpec? spec)
    {
        var selector = new Dictionary<string, string>(spec?.NodeSelector ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var terms = spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        NodeSelector? required = terms is null ? null : new NodeSelector([.. terms.Select(term => new NodeSelectorTerm(
            [.. (term.MatchExpressions ?? []).Select(Requirement)],
            [.. (term.MatchFields ?? []).Select(Requirement)]))]);
        return new RequiredNodeAffinity(selector, required);
    }

    private static NodeSelectorRequirement Requirement(V1NodeSelectorRequirement r) =>
        new(r.Key ?? "", r.OperatorProperty ?? "", [.. r.Values ?? []]);

    /// <summary>The pod's containers' requests and limits, its overhead and pod-level resources.</summary>
    public static PodResources Resources(V1PodSpec spec) => new()
    {
        Containers = [.. (spec.Containers ?? []).Select(c => Container(c.Resources, false))],
        InitContainers = [.. (spec.InitContainers ?? []).Select(c => Container(c.Resources, c.RestartPolicy == "Always"))],
        Overhead = Quantities(spec.Overhead),
        PodLevelRequests = Quantities(spec.Resources?.Requests),
        PodLevelLimits = Quantities(spec.Resources?.Limits),
    };

    private static ContainerResources Container(V1ResourceRequirements? resources, bool restartAlways) =>
        new(Quantities(resources?.Requests), Quantities(resources?.Limits), restartAlways);

    private static ResourceList Quantities(IDictionary<string, ResourceQuantity>? quantities) =>
        quantities is null ? ResourceList.Empty : ResourceList.Parse(quantities.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToString())));
}
