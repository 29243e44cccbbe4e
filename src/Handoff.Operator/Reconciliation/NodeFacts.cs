using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// Whether two objects give the same node facts. The informers store a new object for every event — a HandoffNode's own
/// status write, a Node's periodic status report (kubelet posts one every few minutes even when nothing changed: ~17 a
/// second across 5,000 Nodes) — so the term's memos compare what a node's state and facts are made of, not objects.
/// </summary>
public static class NodeFacts
{
    /// <summary>
    /// The same Node as far as a HandoffNode's state and facts go: its labels, cordon, taints, allocatable and Ready
    /// condition (status, reason, message) — what the cache keeps of it besides its heartbeat.
    /// </summary>
    public static bool Same(V1Node? a, V1Node? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return false;
        }

        return SameLabels(a.Metadata?.Labels, b.Metadata?.Labels)
            && (a.Spec?.Unschedulable ?? false) == (b.Spec?.Unschedulable ?? false)
            && SameTaints(a.Spec?.Taints, b.Spec?.Taints)
            && SameQuantities(a.Status?.Allocatable, b.Status?.Allocatable)
            && SameReady(ReadyOf(a), ReadyOf(b));
    }

    /// <summary>Equal label maps (by value).</summary>
    public static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameTaints(IList<V1Taint>? a, IList<V1Taint>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        for (var i = 0; i < (a?.Count ?? 0); i++)
        {
            var (x, y) = (a![i], b![i]);
            if (x.Key != y.Key || x.Value != y.Value || x.Effect != y.Effect)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameQuantities(IDictionary<string, ResourceQuantity>? a, IDictionary<string, ResourceQuantity>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        foreach (var (name, quantity) in a ?? new Dictionary<string, ResourceQuantity>())
        {
            // The Nodes' cache keeps equal quantities once, so a report's are the very instances of the Node before:
            // text (which formats anew, allocating) is compared only for quantities read apart.
            if (!b!.TryGetValue(name, out var other) || (!ReferenceEquals(quantity, other) && quantity?.ToString() != other?.ToString()))
            {
                return false;
            }
        }

        return true;
    }

    private static V1NodeCondition? ReadyOf(V1Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    private static bool SameReady(V1NodeCondition? a, V1NodeCondition? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message);
}
