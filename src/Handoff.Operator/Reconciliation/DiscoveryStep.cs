using Handoff.Api.V1Alpha1;
using Handoff.Core.Nodes;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>What node discovery wants done to one HandoffNode.</summary>
public abstract record DiscoveryAction(string Name);

/// <summary>Create the HandoffNode of a Node that matches and has none.</summary>
public sealed record CreateDiscovered(HandoffNode Node) : DiscoveryAction(Node.Metadata.Name);

/// <summary>Set a discovered HandoffNode's labels to its Node's (null = remove the label).</summary>
public sealed record RelabelDiscovered(string Name, IReadOnlyDictionary<string, string?> Labels) : DiscoveryAction(Name);

/// <summary>Delete a discovered HandoffNode whose Node no longer matches (the garbage collector deletes those whose Node is gone).</summary>
public sealed record DeleteDiscovered(string Name, string? Uid) : DiscoveryAction(Name);

/// <summary>
/// Node discovery (<c>--discover-nodes</c>, pure): one HandoffNode with <c>capacityFrom: Node</c> for every Node matching
/// the selector — the same name and labels as the Node, owned by it (so it goes when the Node goes). A HandoffNode of
/// that name not owned by the Node (made by hand) is left alone.
/// </summary>
public static class DiscoveryStep
{
    public static IReadOnlyList<DiscoveryAction> Plan(ClusterSnapshot snapshot, LabelSelector selector)
    {
        var existing = snapshot.HandoffNodes.ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);
        var actions = new List<DiscoveryAction>();
        foreach (var node in snapshot.Nodes.Values.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal))
        {
            var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
            var matches = selector.Matches(labels.AsReadOnly());
            if (!existing.TryGetValue(node.Metadata.Name, out var hn))
            {
                if (matches)
                {
                    actions.Add(new CreateDiscovered(Discovered(node)));
                }

                continue;
            }

            if (!OwnedBy(hn, node))
            {
                continue;
            }

            if (!matches)
            {
                actions.Add(new DeleteDiscovered(hn.Metadata.Name, hn.Metadata.Uid));
                continue;
            }

            var current = hn.Metadata.Labels ?? new Dictionary<string, string>();
            var changes = labels.Where(l => !current.TryGetValue(l.Key, out var v) || v != l.Value).Select(l => KeyValuePair.Create(l.Key, (string?)l.Value))
                .Concat(current.Keys.Where(k => !labels.ContainsKey(k)).Select(k => KeyValuePair.Create(k, (string?)null)))
                .ToDictionary(StringComparer.Ordinal);
            if (changes.Count > 0)
            {
                actions.Add(new RelabelDiscovered(hn.Metadata.Name, changes));
            }
        }

        return actions;
    }

    /// <summary>Whether the HandoffNode is the one discovery made for <paramref name="node"/> (owned by it, by UID).</summary>
    public static bool OwnedBy(HandoffNode handoffNode, V1Node node) =>
        handoffNode.Metadata.OwnerReferences?.Any(o => o.Kind == "Node" && o.Uid == node.Metadata.Uid) == true;

    private static HandoffNode Discovered(V1Node node) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = node.Metadata.Name,
            Labels = node.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : null,
            OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = node.Metadata.Name, Uid = node.Metadata.Uid }],
        },
        Spec = new HandoffNodeSpec { NodeName = node.Metadata.Name, CapacityFrom = CapacitySources.Node },
    };
}
