using System.Globalization;
using System.Text.Json;
using ScottPlot;
using ScottPlot.TickGenerators;

// Plots BenchmarkDotNet's full JSON export of AllocationBenchmarks: median time per allocation decision against the
// number of nodes, one line per strategy plus the scan baseline, one PNG per resource-type count.
//
//   dotnet run --project scripts/plot-benchmarks -- <results dir or *-report-full.json> [output dir]
//
// Defaults: BenchmarkDotNet.Artifacts/results and docs/plots.
var input = args.Length > 0 ? args[0] : Path.Combine("BenchmarkDotNet.Artifacts", "results");
var output = args.Length > 1 ? args[1] : Path.Combine("docs", "plots");
var files = Directory.Exists(input)
    ? Directory.GetFiles(input, "*AllocationBenchmarks-report-full.json")
    : File.Exists(input) ? [input] : [];
files = [.. files.Where(f => Path.GetFileName(f).Contains(".AllocationBenchmarks-", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("AllocationBenchmarks-", StringComparison.Ordinal))];
if (files.Length == 0)
{
    Console.Error.WriteLine($"error: no *.AllocationBenchmarks-report-full.json under \"{input}\". Run the benchmarks first: " +
        "dotnet run -c Release --project bench/Handoff.Benchmarks -- --filter '*.AllocationBenchmarks*'");
    return 2;
}

var points = new List<(string Method, int Nodes, int Resources, double MedianNs)>();
foreach (var file in files)
{
    using var json = JsonDocument.Parse(File.ReadAllText(file));
    foreach (var benchmark in json.RootElement.GetProperty("Benchmarks").EnumerateArray())
    {
        if (!benchmark.TryGetProperty("Statistics", out var statistics) || statistics.ValueKind != JsonValueKind.Object)
        {
            continue; // a benchmark that failed has no statistics
        }

        var parameters = benchmark.GetProperty("Parameters").GetString()!
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        points.Add((
            benchmark.GetProperty("Method").GetString()!,
            int.Parse(parameters["Nodes"], CultureInfo.InvariantCulture),
            int.Parse(parameters["Resources"], CultureInfo.InvariantCulture),
            statistics.GetProperty("Median").GetDouble()));
    }
}

Directory.CreateDirectory(output);
string[] order = ["ScanBaseline", "FirstAvailable", "LoadBalanced", "BestFit"];
foreach (var resources in points.Select(p => p.Resources).Distinct().Order())
{
    var plot = new Plot();
    foreach (var method in order.Concat(points.Select(p => p.Method).Distinct().Except(order)))
    {
        var series = points.Where(p => p.Method == method && p.Resources == resources).OrderBy(p => p.Nodes).ToList();
        if (series.Count == 0)
        {
            continue;
        }

        var line = plot.Add.Scatter(
            series.Select(p => Math.Log10(p.Nodes)).ToArray(),
            series.Select(p => Math.Log10(p.MedianNs / 1000.0)).ToArray());
        line.LegendText = method == "ScanBaseline" ? "scan baseline (read the table once)" : method;
        line.LineWidth = method == "ScanBaseline" ? 3 : 2;
        line.MarkerSize = 7;
        if (method == "ScanBaseline")
        {
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Black;
        }
    }

    var target = plot.Add.HorizontalLine(Math.Log10(2.0));
    target.LinePattern = LinePattern.Dotted;
    target.Color = Colors.Gray;
    target.LegendText = "2 µs (FirstAvailable target at 5,000 nodes)";

    plot.Axes.Bottom.TickGenerator = LogTicks(v => Math.Pow(10, v).ToString("N0", CultureInfo.InvariantCulture));
    plot.Axes.Left.TickGenerator = LogTicks(v => Math.Pow(10, v) is var us && us >= 1
        ? us.ToString("N0", CultureInfo.InvariantCulture)
        : us.ToString("0.###", CultureInfo.InvariantCulture));
    plot.Axes.Bottom.Label.Text = "HandoffNodes (log scale)";
    plot.Axes.Left.Label.Text = "median time per decision, µs (log scale)";
    plot.Title($"Allocation decision time, {resources} resource types, nodes 90 % packed");
    plot.ShowLegend(Alignment.UpperLeft);
    var path = Path.Combine(output, $"allocation-decision-{resources}-resources.png");
    plot.SavePng(path, 960, 600);
    Console.WriteLine($"wrote {path}");
}

return 0;

static NumericAutomatic LogTicks(Func<double, string> format) => new()
{
    MinorTickGenerator = new LogMinorTickGenerator(),
    IntegerTicksOnly = true,
    LabelFormatter = format,
};
