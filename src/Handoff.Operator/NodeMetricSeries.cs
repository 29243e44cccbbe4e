using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Handoff.Core.Resources;
using Handoff.Core.Tracking;

namespace Handoff.Operator;

/// <summary>
/// <c>handoff_node_capacity</c> and <c>handoff_node_allocated</c> (labels <c>node</c>, <c>resource</c>), written at
/// scrape time from the leader's tracker (read then, under its lock) instead of kept as prometheus-net children: at 5,000 nodes
/// those were 20,000 children with their label arrays and index, ~9 MB of an idle operator's heap
/// (docs/performance.md, "Native AOT, shipped, and an idle trim"). A node that is gone has no series at the next scrape.
/// The lines are encoded straight into small pooled buffers and flushed every few nodes: at 5,000 nodes the text is
/// ~1.2 MB, and made whole — a string, then its UTF-8 bytes — it was 3.7 MB of large-object heap a scrape that only a
/// full collection takes back (docs/performance.md, "A scrape written as it is read").
/// </summary>
public sealed class NodeMetricSeries
{
    public const string CapacityName = "handoff_node_capacity";
    public const string AllocatedName = "handoff_node_allocated";

    /// <summary>Nodes written between two flushes (~120 bytes a line, one line per resource).</summary>
    private const int NodesPerFlush = 64;

    private static readonly Func<IReadOnlyList<NodeUsage>> None = static () => [];

    private static readonly Family Capacity = Family.Of(CapacityName, "HandoffNode capacity per resource (in units; milli-units / 1000).", static u => u.Capacity);

    private static readonly Family Allocated = Family.Of(AllocatedName, "Capacity held by functions per HandoffNode and resource.", static u => u.Allocated);

    private Func<IReadOnlyList<NodeUsage>> _usage = None;

    /// <summary>Every node's usage, fixed (replaces what was published before).</summary>
    public void Publish(IReadOnlyList<NodeUsage> usage) => Volatile.Write(ref _usage, () => usage);

    /// <summary>
    /// Where every node's usage is read at each scrape (the leader's tracker, which answers under its lock): published
    /// once per pass without copying it.
    /// </summary>
    public void Publish(Func<IReadOnlyList<NodeUsage>> usage) => Volatile.Write(ref _usage, usage);

    /// <summary>
    /// The two families in the text exposition format (the same lines in Prometheus text 0.0.4 and OpenMetrics), in
    /// UTF-8, then <paramref name="trailer"/>; <paramref name="destination"/> is left open.
    /// </summary>
    public async Task WriteToAsync(Stream destination, ReadOnlyMemory<byte> trailer = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var usage = Volatile.Read(ref _usage)();
        var output = PipeWriter.Create(destination, new StreamPipeWriterOptions(leaveOpen: true));
        try
        {
            await WriteFamilyAsync(output, Capacity, usage, cancellationToken);
            await WriteFamilyAsync(output, Allocated, usage, cancellationToken);
            output.Write(trailer.Span);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            await output.CompleteAsync();
        }
    }

    /// <summary>A family's header and the start of each of its lines, in UTF-8, and what its values are.</summary>
    private sealed record Family(byte[] Header, byte[] LineStart, Func<NodeUsage, ResourceList> Values)
    {
        public static Family Of(string name, string help, Func<NodeUsage, ResourceList> values) => new(
            Encoding.UTF8.GetBytes($"# HELP {name} {help}\n# TYPE {name} gauge\n"),
            Encoding.UTF8.GetBytes(name + "{node=\""),
            values);
    }

    private static async Task WriteFamilyAsync(PipeWriter output, Family family, IReadOnlyList<NodeUsage> usage, CancellationToken cancellationToken)
    {
        output.Write(family.Header);
        for (var from = 0; from < usage.Count; from += NodesPerFlush)
        {
            WriteLines(output, family, usage, from, Math.Min(usage.Count, from + NodesPerFlush));
            await output.FlushAsync(cancellationToken);
        }
    }

    private static void WriteLines(IBufferWriter<byte> output, Family family, IReadOnlyList<NodeUsage> usage, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var node = usage[i];
            var held = family.Values(node);
            foreach (var (resource, _) in node.Capacity)
            {
                output.Write(family.LineStart);
                WriteLabelValue(output, node.Node);
                output.Write("\",resource=\""u8);
                WriteLabelValue(output, resource);
                output.Write("\"} "u8);
                var value = output.GetSpan(32);
                if (!(held[resource] / 1000.0).TryFormat(value, out var written, default, CultureInfo.InvariantCulture))
                {
                    throw new InvalidOperationException("A double's shortest form is longer than 32 bytes.");
                }

                output.Advance(written);
                output.Write("\n"u8);
            }
        }
    }

    /// <summary>A label value as the exposition formats escape it: backslash, double quote and line feed.</summary>
    private static void WriteLabelValue(IBufferWriter<byte> output, string value)
    {
        var rest = value.AsSpan();
        for (var at = rest.IndexOfAny('\\', '"', '\n'); at >= 0; at = rest.IndexOfAny('\\', '"', '\n'))
        {
            Encoding.UTF8.GetBytes(rest[..at], output);
            output.Write(rest[at] switch
            {
                '\\' => "\\\\"u8,
                '"' => "\\\""u8,
                _ => "\\n"u8,
            });
            rest = rest[(at + 1)..];
        }

        Encoding.UTF8.GetBytes(rest, output);
    }
}
