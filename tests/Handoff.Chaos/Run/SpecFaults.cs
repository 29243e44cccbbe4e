using System.Text.Json.Nodes;
using Handoff.Chaos.Cluster;
using Handoff.Chaos.Workload;
using Handoff.Core.Resources;

namespace Handoff.Chaos.Run;

/// <summary>
/// The faults a user makes to HandoffNode specs: capacity cuts and cordons, written as merge patches of the spec. Cuts
/// and cordons that overlap on one node are counted, so the deepest cut holds while it lasts and the node gets its
/// spec back only when the last one ends.
/// </summary>
public sealed class SpecFaults(ChaosCluster cluster)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<double>> _cuts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _cordons = new(StringComparer.Ordinal);

    /// <summary>Cuts every resource of <paramref name="node"/> to <paramref name="factor"/> of its capacity (whole units, at least 1) for <paramref name="duration"/>.</summary>
    public async Task CutAsync(ChaosNode node, double factor, TimeSpan duration, Action<string> applied, CancellationToken ct)
    {
        lock (_lock)
        {
            (_cuts.TryGetValue(node.Name, out var list) ? list : _cuts[node.Name] = []).Add(factor);
        }

        applied(await ApplyCapacityAsync(node, ct));
        await Task.Delay(duration, ct);
        lock (_lock)
        {
            _cuts[node.Name].Remove(factor);
        }

        await ApplyCapacityAsync(node, ct);
    }

    /// <summary>Cordons <paramref name="node"/> for <paramref name="duration"/>.</summary>
    public async Task CordonAsync(string node, TimeSpan duration, Action applied, CancellationToken ct)
    {
        bool first;
        lock (_lock)
        {
            first = (_cordons[node] = _cordons.GetValueOrDefault(node) + 1) == 1;
        }

        if (first)
        {
            await SetUnschedulableAsync(node, true, ct);
        }

        applied();
        await Task.Delay(duration, ct);
        bool last;
        lock (_lock)
        {
            last = --_cordons[node] == 0;
        }

        if (last)
        {
            await SetUnschedulableAsync(node, false, ct);
        }
    }

    /// <summary>Writes the node's capacity under its deepest active cut (or back to the original); returns it, described.</summary>
    private async Task<string> ApplyCapacityAsync(ChaosNode node, CancellationToken ct)
    {
        Dictionary<string, string> capacity;
        lock (_lock)
        {
            var factor = _cuts.GetValueOrDefault(node.Name) is { Count: > 0 } active ? active.Min() : 1.0;
            capacity = node.Capacity.ToDictionary(
                r => r.Key,
                r => factor >= 1 ? r.Value : ResourceList.FormatMilli(Math.Max(1000, (long)(ResourceList.ParseQuantity(r.Key, r.Value) * factor) / 1000 * 1000)));
        }

        var patch = new JsonObject { ["spec"] = new JsonObject { ["capacity"] = ChaosCluster.Map(capacity) } };
        await cluster.SendAsync(HttpMethod.Patch, "apis/handoff.dev/v1alpha1/handoffnodes/" + node.Name, patch, ct, "application/merge-patch+json");
        return string.Join(", ", capacity.Select(c => c.Key + "=" + c.Value));
    }

    private Task SetUnschedulableAsync(string node, bool value, CancellationToken ct) => cluster.SendAsync(
        HttpMethod.Patch, "apis/handoff.dev/v1alpha1/handoffnodes/" + node, new JsonObject { ["spec"] = new JsonObject { ["unschedulable"] = value } }, ct, "application/merge-patch+json");
}
