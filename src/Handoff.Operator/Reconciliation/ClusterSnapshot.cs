using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Step 1 of a pass: what the caches hold at its start, in a stable order. Every later step reads this, never the
/// caches, so one pass decides over one consistent view.
/// </summary>
/// <param name="Now">The pass's clock reading.</param>
/// <param name="HandoffNodes">Every HandoffNode, by name.</param>
/// <param name="Nodes">Kubernetes Nodes by name.</param>
/// <param name="Functions">Every HandoffFunction (being deleted ones too), by namespace/name.</param>
/// <param name="Pods">Every pod of the cluster, as the cache keeps it (<see cref="PodRecord"/>), by namespace/name.</param>
public sealed record ClusterSnapshot(
    DateTimeOffset Now,
    IReadOnlyList<HandoffNode> HandoffNodes,
    IReadOnlyDictionary<string, V1Node> Nodes,
    IReadOnlyList<HandoffFunction> Functions,
    IReadOnlyList<PodRecord> Pods)
{
    /// <summary>
    /// The Nodes that may differ from those of an earlier snapshot's <see cref="Nodes"/> (<c>Since</c>), by name; null
    /// when not known (then any may differ).
    /// </summary>
    public (IReadOnlyDictionary<string, V1Node> Since, IReadOnlySet<string> Names)? NodeChanges { get; init; }

    /// <summary>
    /// The pods that may differ from those of an earlier snapshot's <see cref="Pods"/> (<c>Since</c>), each by key with its
    /// record now (null when gone); null when not known (then any may differ).
    /// </summary>
    public (IReadOnlyList<PodRecord> Since, IReadOnlyList<KeyValuePair<string, PodRecord?>> Changes)? PodChanges { get; init; }

    /// <summary>
    /// The key (<c>namespace/name</c>) the cache holds each of <see cref="Functions"/> by, index for index; empty when
    /// not known (then each is made from the function's metadata).
    /// </summary>
    public IReadOnlyList<string> FunctionKeys { get; init; } = [];

    /// <summary>Objects the informers could not decode (each is reported and skipped).</summary>
    public IReadOnlyList<InvalidObject> Invalid { get; init; } = [];

    /// <summary>Every HandoffQueue, by name.</summary>
    public IReadOnlyList<HandoffQueue> Queues { get; init; } = [];

    /// <summary>Every PriorityClass (name and value).</summary>
    public IReadOnlyList<V1PriorityClass> PriorityClasses { get; init; } = [];

    /// <summary>The labels of each namespace, by name (a HandoffQueue's namespaceSelector matches them).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Adds what the queue caches hold.</summary>
    public ClusterSnapshot WithQueues(QueueCaches? caches) => caches is null ? this : this with
    {
        Queues = caches.Queues.ListOrderedByKey(),
        PriorityClasses = caches.PriorityClasses.List(),
        NamespaceLabels = caches.Namespaces.List().ToDictionary(
            n => n.Metadata.Name,
            n => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(n.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            StringComparer.Ordinal),
    };

    public static ClusterSnapshot Take(
        DateTimeOffset now, ResourceCache<HandoffNode> handoffNodes, ResourceCache<V1Node> nodes,
        ResourceCache<HandoffFunction> functions, ResourceCache<PodRecord> pods)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(functions);
        var nodesByName = nodes.ByKey();
        var (functionKeys, functionList) = functions.ListOrderedByKeyWithKeys();
        var podList = pods.ListOrderedByKey();
        return new(
            now,
            handoffNodes.ListOrderedByKey(),
            nodesByName,
            functionList,
            podList)
        {
            NodeChanges = nodes.ChangesTo(nodesByName),
            PodChanges = pods.ListingChangesTo(podList),
            FunctionKeys = functionKeys,
        };
    }
}
