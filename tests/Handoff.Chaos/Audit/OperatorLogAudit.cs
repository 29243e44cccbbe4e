using System.Text.Json;
using System.Text.RegularExpressions;

namespace Handoff.Chaos.Audit;

/// <summary>
/// The operator replicas' own logs, read after a run for what the API server's record cannot show: an exception that
/// is a bug rather than an answer of the API server (an injected 500 or 429, a 410, a dropped connection or a watch
/// stream the server ended), a lost lease or a cancellation. Such an exception failing passes (Event 301,
/// <c>PassFailed</c>) slows the operator down to its back-off, or stops it; each distinct one (by type and first frame)
/// is a <see cref="ViolationKind.OperatorError"/>.
/// </summary>
public static partial class OperatorLogAudit
{
    /// <summary>Exceptions the faults are expected to cause: the API's answers, the network, a lost lease, cancellation.</summary>
    public static readonly IReadOnlySet<string> Expected = new HashSet<string>(StringComparer.Ordinal)
    {
        "System.AggregateException",
        "k8s.Autorest.HttpOperationException",
        "k8s.KubernetesException",
        "System.Net.Http.HttpRequestException",
        "System.Net.Http.HttpIOException",
        "System.Net.Sockets.SocketException",
        "System.IO.IOException",
        "System.IO.EndOfStreamException",
        "System.TimeoutException",
        "System.OperationCanceledException",
        "System.Threading.Tasks.TaskCanceledException",
        "Handoff.Operator.Infrastructure.LeaseLostException",
        "Handoff.Operator.Infrastructure.ResourceExpiredException",
    };

    private static readonly HashSet<string> Cancellations = new(StringComparer.Ordinal)
    {
        "System.OperationCanceledException",
        "System.Threading.Tasks.TaskCanceledException",
    };

    /// <summary>Audits the JSON log lines of each replica (file name = replica name).</summary>
    public static IReadOnlyList<Violation> Audit(IEnumerable<string> logFiles) =>
        [.. logFiles.SelectMany(file => Audit(Path.GetFileNameWithoutExtension(file), File.ReadLines(file)))];

    public static IEnumerable<Violation> Audit(string replica, IEnumerable<string> lines)
    {
        var found = new Dictionary<string, (int Count, string First, string Timestamp)>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (!line.Contains("\"Exception\"", StringComparison.Ordinal) || Parse(line) is not { } entry)
            {
                continue;
            }

            var types = ExceptionType().Matches(entry.Exception).Select(m => m.Groups[1].Value).ToList();
            // A cancellation is one, whatever surfaced it underneath (e.g. the socket disposed under a request cut short).
            var unexpected = types.Count > 0 && Cancellations.Contains(types[0]) ? [] : types.Where(t => !Expected.Contains(t)).ToList();
            if (unexpected.Count == 0)
            {
                continue;
            }

            var frame = entry.Exception.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal)) ?? "";
            var key = unexpected[0] + " " + frame;
            found[key] = found.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.First, seen.Timestamp) : (1, entry.Exception, entry.Timestamp);
        }

        return found.Select(f => new Violation(ViolationKind.OperatorError, 0,
            $"{replica} logged {f.Value.Count} time(s) (first at {f.Value.Timestamp}) an exception that is not the API's answer: {Shorten(f.Value.First)}"));
    }

    private static (string Exception, string Timestamp)? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("Exception", out var e) && e.GetString() is { } text
                ? (text, doc.RootElement.TryGetProperty("Timestamp", out var t) ? t.GetString() ?? "" : "")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The exception's first line and its first frames, enough to find it.</summary>
    private static string Shorten(string exception) => string.Join(" | ", exception.Split('\n').Take(6).Select(l => l.Trim()));

    /// <summary>Exception type names: the outer one, and inner ones (<c>---&gt; T:</c>, <c>(Inner Exception #n) T:</c>).</summary>
    [GeneratedRegex(@"(?:^|---> |\(Inner Exception #\d+\) )([A-Za-z_][\w.]*Exception)\b", RegexOptions.Multiline)]
    private static partial Regex ExceptionType();
}
