using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Handoff.Core.Lifecycle;
using Handoff.Core.Planning;
using Handoff.Core.Resources;

namespace Handoff.Cli.Planning;

/// <summary>The JSON/YAML document <c>handoff plan --output json|yaml</c> prints.</summary>
internal sealed record PlanDocument(
    [property: JsonPropertyName("functions")] IReadOnlyList<FunctionEntry> Functions,
    [property: JsonPropertyName("nodes")] IReadOnlyList<NodeEntry> Nodes,
    [property: JsonPropertyName("makespan")] double Makespan)
{
    /// <summary>Every attempt's start and end (what <c>handoff gantt --plan</c> draws), in time order.</summary>
    [JsonPropertyName("timeline")]
    public IReadOnlyList<TimelineEntry> Timeline { get; init; } = [];

    /// <summary><c>plan --live</c> only: the moment the cluster was read (time 0 of the plan), RFC 3339.</summary>
    [JsonPropertyName("now")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Now { get; init; }

    /// <summary>Per-queue usage over time (left out when the input has no HandoffQueues).</summary>
    [JsonPropertyName("queues")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<QueueEntry>? Queues { get; init; }
}

/// <summary>An attempt started (<c>Started</c>) or ended (<c>Succeeded</c>/<c>Failed</c>) at <see cref="Time"/> seconds.</summary>
internal sealed record TimelineEntry(
    [property: JsonPropertyName("time")] double Time,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("attempt")] int Attempt);

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
    [property: JsonPropertyName("strategy")] string Strategy)
{
    /// <summary>
    /// <c>plan --live</c> only: <c>cluster</c> (it exists; its phase, node and attempts are the cluster's until the plan
    /// moves it on) or <c>new</c> (from <c>-f</c>).
    /// </summary>
    [JsonPropertyName("source")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Source { get; init; }
}

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
        Timeline = [.. plan.Events.Select(e =>
        {
            var m = input.Mapped[e.Id];
            return new TimelineEntry(e.Time.TotalSeconds, e.Kind.ToString(), m.Namespace, m.Name, e.Node, e.Attempt);
        })],
        Queues = input.Queues.Count == 0 ? null
            : [.. plan.Queues.Select(q => new QueueEntry(q.Time.TotalSeconds, q.Queue, q.Pending, q.Admitted, q.Usage.ToDictionary(), q.Borrowed.ToDictionary()))],
    };

    /// <summary>Reads the document <c>handoff plan --output json</c> printed. Throws <see cref="JsonException"/>.</summary>
    public static PlanDocument FromJson(string json) =>
        JsonSerializer.Deserialize<PlanDocument>(json, Json) ?? throw new JsonException("the plan is null");

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

    /// <summary>The placement table, the nodes with capacity and peak, the timeline and the makespan.</summary>
    public static string ToTable(PlanDocument plan)
    {
        var sb = new StringBuilder();
        if (plan.Now is { } now)
        {
            sb.Append("live plan: time 0 is ").AppendLine(now);
        }

        var live = plan.Functions.Any(f => f.Source is not null);
        var functionRows = plan.Functions.Select(f => (string[])
        [
            $"{f.Namespace}/{f.Name}", f.Phase, f.Node ?? "-", f.Attempts.ToString(CultureInfo.InvariantCulture),
            Time(f.Start), Time(f.End), f.Strategy, .. live ? [f.Source ?? "-"] : Array.Empty<string>(), f.Message,
        ]);
        Table(sb, ["FUNCTION", "PHASE", "NODE", "ATTEMPTS", "START", "END", "STRATEGY", .. live ? ["SOURCE"] : Array.Empty<string>(), "MESSAGE"], functionRows);
        sb.AppendLine();
        Table(sb, ["NODE", "CAPACITY", "PEAK"], plan.Nodes.Select(n => new[] { n.Name, Resources(n.Capacity), Resources(n.Peak) }));
        sb.AppendLine();
        sb.AppendLine("TIMELINE");
        Table(sb, ["TIME", "EVENT", "FUNCTION", "NODE", "ATTEMPT"], plan.Timeline.Select(e => new[]
        {
            Time(e.Time), e.Event, $"{e.Namespace}/{e.Name}", e.Node, e.Attempt.ToString(CultureInfo.InvariantCulture),
        }));
        if (plan.Queues is { } queues)
        {
            sb.AppendLine();
            sb.AppendLine("QUEUES");
            Table(sb, ["TIME", "QUEUE", "PENDING", "ADMITTED", "USAGE", "BORROWED"], queues.Select(q => new[]
            {
                Time(q.Time), q.Queue, q.Pending.ToString(CultureInfo.InvariantCulture), q.Admitted.ToString(CultureInfo.InvariantCulture),
                q.Usage.Count == 0 ? "-" : Resources(q.Usage), q.Borrowed.Count == 0 ? "-" : Resources(q.Borrowed),
            }));
        }

        sb.AppendLine();
        sb.Append("makespan: ").AppendLine(Time(plan.Makespan));
        return sb.ToString();
    }

    private static string Resources(IReadOnlyDictionary<string, string> quantities) => ResourceList.Parse(quantities).ToString();

    private static double? Seconds(TimeSpan? t) => t?.TotalSeconds;

    private static string Time(double? seconds) =>
        seconds is null ? "-" : seconds.Value.ToString("0.###", CultureInfo.InvariantCulture) + "s";

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
