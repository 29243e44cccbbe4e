using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;

namespace Handoff.Cli.Planning;

/// <summary>The JSON/YAML document <c>handoff plan --output json|yaml</c> prints.</summary>
internal sealed record PlanDocument(
    [property: JsonPropertyName("functions")] IReadOnlyList<FunctionEntry> Functions,
    [property: JsonPropertyName("nodes")] IReadOnlyList<NodeEntry> Nodes,
    [property: JsonPropertyName("makespan")] double Makespan)
{
    /// <summary>Per-queue usage over time (left out when the input has no HandoffQueues).</summary>
    [JsonPropertyName("queues")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<QueueEntry>? Queues { get; init; }
}

/// <summary>A HandoffQueue at an instant (whenever a cycle changed it).</summary>
internal sealed record QueueEntry(
    [property: JsonPropertyName("time")] double Time,
    [property: JsonPropertyName("queue")] string Queue,
    [property: JsonPropertyName("pending")] int Pending,
    [property: JsonPropertyName("admitted")] int Admitted,
    [property: JsonPropertyName("usage")] IReadOnlyDictionary<string, string> Usage,
    [property: JsonPropertyName("borrowed")] IReadOnlyDictionary<string, string> Borrowed);

internal sealed record FunctionEntry(
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("start")] double? Start,
    [property: JsonPropertyName("end")] double? End,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("strategy")] string Strategy);

internal sealed record NodeEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("capacity")] IReadOnlyDictionary<string, string> Capacity,
    [property: JsonPropertyName("peak")] IReadOnlyDictionary<string, string> Peak);

/// <summary>Renders a plan as a table with a timeline, as JSON, or as YAML.</summary>
internal static class PlanOutput
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static PlanDocument ToDocument(PlanResult plan, PlanInput input) => new(
        [.. plan.Functions.Select(f =>
        {
            var m = input.Mapped[f.Id];
            return new FunctionEntry(m.Namespace, m.Name, f.Phase.Name(), f.Node, f.Attempts, Seconds(f.Start), Seconds(f.End), f.Reason, f.Message, m.Strategy.ToString());
        })],
        [.. plan.Nodes.Select(n => new NodeEntry(n.Name, n.Capacity.ToDictionary(), n.Peak.ToDictionary()))],
        plan.Makespan.TotalSeconds)
    {
        Queues = input.Queues.Count == 0 ? null
            : [.. plan.Queues.Select(q => new QueueEntry(q.Time.TotalSeconds, q.Queue, q.Pending, q.Admitted, q.Usage.ToDictionary(), q.Borrowed.ToDictionary()))],
    };

    public static string ToJson(PlanDocument document) => JsonSerializer.Serialize(document, Json);

    /// <summary>
    /// The same document as YAML, nulls included (<c>node: null</c>). Strings are written as JSON strings, which
    /// are valid YAML double-quoted scalars, so nothing needs YAML-specific escaping.
    /// </summary>
    public static string ToYaml(PlanDocument document)
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(document, Json));
        var sb = new StringBuilder();
        WriteYaml(sb, json.RootElement, 0);
        return sb.ToString();
    }

    private static void WriteYaml(StringBuilder sb, JsonElement element, int indent)
    {
        var pad = new string(' ', indent);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    sb.Append(pad).Append(YamlKey(property.Name)).Append(':');
                    WriteValueAfterKey(sb, property.Value, indent);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.EnumerateObject().Any())
                    {
                        // "- first: x" then the other keys indented under it.
                        var inner = new StringBuilder();
                        WriteYaml(inner, item, indent + 2);
                        sb.Append(pad).Append("- ").Append(inner.ToString().AsSpan(indent + 2));
                    }
                    else
                    {
                        sb.Append(pad).Append('-');
                        WriteValueAfterKey(sb, item, indent);
                    }
                }

                break;
            default:
                sb.Append(pad).AppendLine(Scalar(element));
                break;
        }
    }

    private static void WriteValueAfterKey(StringBuilder sb, JsonElement value, int indent)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when value.EnumerateObject().Any():
                sb.AppendLine();
                WriteYaml(sb, value, indent + 2);
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                sb.AppendLine();
                WriteYaml(sb, value, indent);
                break;
            case JsonValueKind.Object:
                sb.AppendLine(" {}");
                break;
            case JsonValueKind.Array:
                sb.AppendLine(" []");
                break;
            default:
                sb.Append(' ').AppendLine(Scalar(value));
                break;
        }
    }

    private static string YamlKey(string key) => key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/') ? key : JsonSerializer.Serialize(key, Json);

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => JsonSerializer.Serialize(value.GetString(), Json),
        JsonValueKind.Null => "null",
        _ => value.GetRawText(),
    };

    public static string ToTable(PlanResult plan, PlanInput input)
    {
        var sb = new StringBuilder();
        var functionRows = plan.Functions.Select(f => new[]
        {
            f.Id, f.Phase.Name(), f.Node ?? "-", f.Attempts.ToString(CultureInfo.InvariantCulture),
            Time(f.Start), Time(f.End), input.Mapped[f.Id].Strategy.ToString(), f.Message,
        });
        Table(sb, ["FUNCTION", "PHASE", "NODE", "ATTEMPTS", "START", "END", "STRATEGY", "MESSAGE"], functionRows);
        sb.AppendLine();
        Table(sb, ["NODE", "CAPACITY", "PEAK"], plan.Nodes.Select(n => new[] { n.Name, n.Capacity.ToString(), n.Peak.ToString() }));
        sb.AppendLine();
        sb.AppendLine("TIMELINE");
        Table(sb, ["TIME", "EVENT", "FUNCTION", "NODE", "ATTEMPT"], plan.Events.Select(e => new[]
        {
            Time(e.Time), e.Kind.ToString(), e.Id, e.Node, e.Attempt.ToString(CultureInfo.InvariantCulture),
        }));
        if (input.Queues.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("QUEUES");
            Table(sb, ["TIME", "QUEUE", "PENDING", "ADMITTED", "USAGE", "BORROWED"], plan.Queues.Select(q => new[]
            {
                Time(q.Time), q.Queue, q.Pending.ToString(CultureInfo.InvariantCulture), q.Admitted.ToString(CultureInfo.InvariantCulture),
                q.Usage.Count == 0 ? "-" : q.Usage.ToString(), q.Borrowed.Count == 0 ? "-" : q.Borrowed.ToString(),
            }));
        }

        sb.AppendLine();
        sb.Append("makespan: ").AppendLine(Time(plan.Makespan));
        return sb.ToString();
    }

    private static double? Seconds(TimeSpan? t) => t?.TotalSeconds;

    private static string Time(TimeSpan? t) =>
        t is null ? "-" : t.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private static void Table(StringBuilder sb, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            var line = string.Join("   ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])));
            sb.AppendLine(line.TrimEnd());
        }
    }
}
