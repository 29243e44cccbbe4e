using System.Globalization;
using System.Text;
using Handoff.Core.Tracking;

namespace Handoff.Operator;

/// <summary>
/// <c>handoff_node_capacity</c> and <c>handoff_node_allocated</c> (labels <c>node</c>, <c>resource</c>), written at
/// scrape time from the leader's tracker (read then, under its lock) instead of kept as prometheus-net children: at 5,000 nodes
/// those were 20,000 children with their label arrays and index, ~9 MB of an idle operator's heap
/// (docs/performance.md, "Native AOT, shipped, and an idle trim"). A node that is gone has no series at the next scrape.
/// </summary>
public sealed class NodeMetricSeries
{
    public const string CapacityName = "handoff_node_capacity";
    public const string AllocatedName = "handoff_node_allocated";

    private static readonly Func<IReadOnlyList<NodeUsage>> None = static () => [];

    private Func<IReadOnlyList<NodeUsage>> _usage = None;

    /// <summary>Every node's usage, fixed (replaces what was published before).</summary>
    public void Publish(IReadOnlyList<NodeUsage> usage) => Volatile.Write(ref _usage, () => usage);

    /// <summary>
    /// Where every node's usage is read at each scrape (the leader's tracker, which answers under its lock): published
    /// once per pass without copying it.
    /// </summary>
    public void Publish(Func<IReadOnlyList<NodeUsage>> usage) => Volatile.Write(ref _usage, usage);

    /// <summary>The two families in the text exposition format (the same lines in Prometheus text 0.0.4 and OpenMetrics).</summary>
    public void WriteTo(StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var usage = Volatile.Read(ref _usage)();
        Write(text, CapacityName, "HandoffNode capacity per resource (in units; milli-units / 1000).", usage, static u => u.Capacity);
        Write(text, AllocatedName, "Capacity held by functions per HandoffNode and resource.", usage, static u => u.Allocated);
    }

    private static void Write(StringBuilder text, string name, string help, IReadOnlyList<NodeUsage> usage, Func<NodeUsage, Core.Resources.ResourceList> values)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        foreach (var node in usage)
        {
            var held = values(node);
            foreach (var (resource, _) in node.Capacity)
            {
                text.Append(name).Append("{node=\"");
                AppendLabelValue(text, node.Node);
                text.Append("\",resource=\"");
                AppendLabelValue(text, resource);
                text.Append("\"} ").Append((held[resource] / 1000.0).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }

    /// <summary>A label value as the exposition formats escape it: backslash, double quote and line feed.</summary>
    internal static void AppendLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                _ => text.Append(c),
            };
        }
    }
}
