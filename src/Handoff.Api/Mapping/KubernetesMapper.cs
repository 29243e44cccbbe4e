using Handoff.Core.Nodes;
using Handoff.Core.Resources;
using Handoff.Core.Workloads;
using k8s.Models;

namespace Handoff.Api.Mapping;

/// <summary>
/// Kubernetes objects (pod specs, Nodes) in Core's terms: what a pod requests, tolerates and requires of a node, and what
/// a Node offers and how it is tainted. Quantities that cannot be read are errors naming the field
/// (<see cref="ManifestValidationException"/>).
/// </summary>
public static class KubernetesMapper
{
    /// <summary>The resources of a pod spec (containers, init containers with restartPolicy, overhead, pod-level resources).</summary>
    public static PodResources ResourcesOf(string what, string field, V1PodSpec? spec)
    {
        if (spec is null)
        {
            return new PodResources { Containers = [] };
        }

        ContainerResources Container(V1Container c, string path) => new(
            HandoffMapper.ParseResources(what, $"{path}.resources.requests", Strings(c.Resources?.Requests)),
            HandoffMapper.ParseResources(what, $"{path}.resources.limits", Strings(c.Resources?.Limits)),
            c.RestartPolicy == "Always");
        return new PodResources
        {
            Containers = [.. (spec.Containers ?? []).Select((c, i) => Container(c, $"{field}.containers[{i}]"))],
            InitContainers = [.. (spec.InitContainers ?? []).Select((c, i) => Container(c, $"{field}.initContainers[{i}]"))],
            Overhead = HandoffMapper.ParseResources(what, $"{field}.overhead", Strings(spec.Overhead)),
            PodLevelRequests = HandoffMapper.ParseResources(what, $"{field}.resources.requests", Strings(spec.Resources?.Requests)),
            PodLevelLimits = HandoffMapper.ParseResources(what, $"{field}.resources.limits", Strings(spec.Resources?.Limits)),
        };
    }

    public static IReadOnlyList<Toleration> TolerationsOf(V1PodSpec? spec) =>
        [.. (spec?.Tolerations ?? []).Select(t => new Toleration(t.Key ?? "", t.OperatorProperty ?? "", t.Value ?? "", t.Effect ?? "", t.TolerationSeconds))];

    /// <summary>The pod's nodeSelector and required node affinity; null when it has neither.</summary>
    public static RequiredNodeAffinity? AffinityOf(V1PodSpec? spec)
    {
        var selector = spec?.NodeSelector;
        var required = spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if ((selector is null || selector.Count == 0) && required is null)
        {
            return null;
        }

        static NodeSelectorRequirement Requirement(V1NodeSelectorRequirement r) => new(r.Key, r.OperatorProperty, [.. r.Values ?? []]);
        return new RequiredNodeAffinity(
            new Dictionary<string, string>(selector ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            required is null ? null : new NodeSelector([.. (required.NodeSelectorTerms ?? []).Select(term => new NodeSelectorTerm(
                [.. (term.MatchExpressions ?? []).Select(Requirement)], [.. (term.MatchFields ?? []).Select(Requirement)]))]));
    }

    public static IReadOnlyList<Taint> TaintsOf(V1Node? node) =>
        [.. (node?.Spec?.Taints ?? []).Select(t => new Taint(t.Key ?? "", t.Value ?? "", t.Effect ?? ""))];

    /// <summary>The Node as affinity sees it: its name and labels.</summary>
    public static LabeledNode LabeledNodeOf(V1Node node) =>
        new(node.Metadata.Name, LabelMaps.Of(node.Metadata.Labels));

    /// <summary>The Node's <c>status.allocatable</c> (quantities it cannot read are skipped: a Node is not the user's input).</summary>
    public static ResourceList AllocatableOf(V1Node node)
    {
        var entries = new List<KeyValuePair<string, long>>();
        foreach (var (name, quantity) in node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>())
        {
            try
            {
                entries.Add(KeyValuePair.Create(name, ResourceList.ParseQuantity(name, quantity.ToString())));
            }
            catch (ResourceValidationException)
            {
                // e.g. a resource name Handoff does not accept; it cannot be asked for by a function either.
            }
        }

        return ResourceList.FromMilli(entries);
    }

    private static Dictionary<string, string>? Strings(IDictionary<string, ResourceQuantity>? quantities) =>
        quantities?.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
}
