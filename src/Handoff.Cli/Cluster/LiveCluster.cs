using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Resources;
using k8s.Models;

namespace Handoff.Cli.Cluster;

/// <summary>
/// What the commands read from a cluster, at one moment: every HandoffNode and Node, every HandoffFunction (in all
/// namespaces: capacity is shared, so what runs elsewhere decides when anything starts) and every pod (what other
/// workloads hold, plain pods waiting for Handoff).
/// </summary>
internal sealed record LiveCluster(
    DateTimeOffset Now,
    IReadOnlyList<HandoffNode> HandoffNodes,
    IReadOnlyList<V1Node> Nodes,
    IReadOnlyList<HandoffFunction> Functions,
    IReadOnlyList<V1Pod> Pods)
{
    /// <summary>The cluster's HandoffQueues (none when their CRD is not installed).</summary>
    public IReadOnlyList<HandoffQueue> Queues { get; init; } = [];

    /// <summary>The cluster's PriorityClasses (a function's priorityClassName names one).</summary>
    public IReadOnlyList<V1PriorityClass> PriorityClasses { get; init; } = [];

    /// <summary>The cluster's Namespaces (a queue's namespaceSelector matches their labels).</summary>
    public IReadOnlyList<V1Namespace> Namespaces { get; init; } = [];

    private readonly Dictionary<string, HandoffFunction> _byId =
        Functions.ToDictionary(Id, StringComparer.Ordinal);

    private readonly Dictionary<string, V1Node> _nodes = Nodes.ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);

    /// <summary>The function's id, <c>namespace/name</c>.</summary>
    public static string Id(HandoffFunction f) => ObjectKeys.Of(HandoffMapper.NamespaceOf(f), f.Metadata.Name);

    public HandoffFunction? Function(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The Kubernetes Node of a HandoffNode, or null when it does not exist.</summary>
    public V1Node? NodeOf(HandoffNode node) => _nodes.GetValueOrDefault(HandoffMapper.KubernetesNodeName(node));

    /// <summary>Whether the operator reports the HandoffNode Ready (its Kubernetes Node exists and is Ready).</summary>
    public static bool IsReady(HandoffNode node) =>
        node.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.True) == true;

    /// <summary>A time the API returned (UTC, whatever its <see cref="DateTime.Kind"/>).</summary>
    public static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>A resource map of a status or spec; empty when absent.</summary>
    public static ResourceList Resources(IDictionary<string, string>? quantities) =>
        quantities is { Count: > 0 } ? ResourceList.Parse(quantities) : ResourceList.Empty;

    /// <summary>The functions of one namespace, or of all when <paramref name="namespace"/> is null.</summary>
    public IEnumerable<HandoffFunction> FunctionsIn(string? @namespace) =>
        @namespace is null ? Functions : Functions.Where(f => HandoffMapper.NamespaceOf(f) == @namespace);
}
