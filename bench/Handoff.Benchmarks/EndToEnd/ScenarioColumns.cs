using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>
/// Summary columns for the scenario benchmarks (steady stream, failover, idle, long run): each column is the median,
/// over a case's iterations, of one of <see cref="IRunResult.Metrics"/>. A case is told apart by its benchmark type
/// and the value of its one parameter. Every run is also appended in full to
/// <c>BenchmarkDotNet.Artifacts/results/EndToEnd-runs.jsonl</c>, with the machine's load average when it ended.
/// </summary>
public static class ScenarioColumns
{
    private static readonly ConcurrentDictionary<(string Type, string Case), ConcurrentQueue<IRunResult>> Results = new();

    public static void Record(Type benchmark, object parameter, IRunResult result)
    {
        Results.GetOrAdd((benchmark.Name, Key(parameter)), _ => new ConcurrentQueue<IRunResult>()).Enqueue(result);
        Console.WriteLine("// scenario: " + result.Describe());
        AppendRun(benchmark.Name, result.Details);
    }

    /// <summary>Appends one run to <c>EndToEnd-runs.jsonl</c> (in the results folder of the current directory).</summary>
    public static void AppendRun(string benchmark, object details)
    {
        var directory = Path.Combine(Environment.CurrentDirectory, "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(directory);
        var line = JsonSerializer.Serialize(new { benchmark, at = DateTimeOffset.UtcNow, load = MachineLoad.Now(), result = details });
        File.AppendAllLines(Path.Combine(directory, "EndToEnd-runs.jsonl"), [line]);
    }

    /// <summary>A column showing the median of metric <paramref name="metric"/>.</summary>
    public static IColumn Column(string metric, string legend, string format = "F0") => new MetricColumn(metric, legend, format);

    private static string Key(object? parameter) => Convert.ToString(parameter, CultureInfo.InvariantCulture) ?? "";

    private sealed class MetricColumn(string metric, string legend, string format) : IColumn
    {
        public string Id => "Scenario." + metric;

        public string ColumnName => metric;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var key = Key(benchmarkCase.Parameters.Items.FirstOrDefault()?.Value);
            if (!Results.TryGetValue((benchmarkCase.Descriptor.Type.Name, key), out var runs))
            {
                return "-";
            }

            var values = runs.Select(r => r.Metrics.TryGetValue(metric, out var v) ? v : double.NaN).Where(v => !double.IsNaN(v)).Order().ToArray();
            if (values.Length == 0)
            {
                return "-";
            }

            var median = values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
            return median.ToString(format, CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
