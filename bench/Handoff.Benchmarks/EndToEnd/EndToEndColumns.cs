using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// Summary columns with what the end-to-end runs measured (medians over the iterations; the peak working set is the
/// highest). Every run is also appended, in full, to <c>BenchmarkDotNet.Artifacts/results/EndToEnd-runs.jsonl</c>.
/// </summary>
public static class EndToEndColumns
{
    private static readonly ConcurrentDictionary<(string Type, int Functions), ConcurrentQueue<EndToEndResult>> Results = new();

    public static IColumn[] All { get; } =
    [
        new Column("Bound/s", "functions bound per second (first create sent → last pod bound)", rs => Median(rs, r => r.BoundPerSecond), "F0"),
        new Column("p50 ms", "median create → bound latency", rs => Median(rs, r => r.LatencyP50Ms), "F0"),
        new Column("p99 ms", "99th percentile create → bound latency", rs => Median(rs, r => r.LatencyP99Ms), "F0"),
        new Column("Writes/fn", "operator API writes per function", rs => Median(rs, r => r.WritesPerFunction), "F2"),
        new Column("Requests/fn", "operator API requests per function (writes and reads)", rs => Median(rs, r => r.RequestsPerFunction), "F2"),
        new Column("Op CPU ms/fn", "operator CPU time per function (user + system)", rs => Median(rs, r => r.OperatorCpuMsPerFunction), "F2"),
        new Column("Peak WS MB", "operator peak working set (VmHWM)", rs => rs.Max(r => r.Memory.PeakWorkingSetBytes) / 1048576.0, "F0"),
        new Column("Idle WS MB", "operator working set once idle after the run", rs => Median(rs, r => r.Memory.WorkingSetBytes / 1048576.0), "F0"),
        new Column("Peak heap MB", "operator GC heap, highest sample during the run", rs => Median(rs, r => r.PeakManagedHeapBytes / 1048576.0), "F0"),
    ];

    public static void Record(Type benchmark, int functions, EndToEndResult result)
    {
        Results.GetOrAdd((benchmark.Name, functions), _ => new ConcurrentQueue<EndToEndResult>()).Enqueue(result);
        Console.WriteLine("// end-to-end: " + result.Describe());
        var directory = Path.Combine(Environment.CurrentDirectory, "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(directory);
        var line = JsonSerializer.Serialize(new
        {
            benchmark = benchmark.Name,
            at = DateTimeOffset.UtcNow,
            result.Nodes,
            result.Functions,
            createSeconds = result.CreateTime.TotalSeconds,
            bindSeconds = result.BindTime.TotalSeconds,
            statusSeconds = result.StatusTime.TotalSeconds,
            result.BoundPerSecond,
            result.LatencyP50Ms,
            result.LatencyP99Ms,
            result.LatencyMaxMs,
            result.WritesPerFunction,
            result.RequestsPerFunction,
            operatorCpuSeconds = result.OperatorCpu.TotalSeconds,
            result.Passes,
            passSeconds = result.PassTime.TotalSeconds,
            result.OperatorRequests,
            result.Memory,
            result.PeakManagedHeapBytes,
            result.Load,
        });
        File.AppendAllLines(Path.Combine(directory, "EndToEnd-runs.jsonl"), [line]);
    }

    private static double Median(IReadOnlyList<EndToEndResult> results, Func<EndToEndResult, double> value)
    {
        var sorted = results.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class Column(string name, string legend, Func<IReadOnlyList<EndToEndResult>, double> value, string format) : IColumn
    {
        public string Id => "EndToEnd." + name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var functions = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Functions")?.Value as int?;
            return functions is { } n && Results.TryGetValue((benchmarkCase.Descriptor.Type.Name, n), out var runs) && !runs.IsEmpty
                ? value([.. runs]).ToString(format, CultureInfo.InvariantCulture)
                : "-";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
