using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Handoff.Testing;
using Handoff.Cli.Tests.Planning;

namespace Handoff.Cli.Tests.Commands;

/// <summary><c>plan -o svg</c> and <c>gantt --plan</c> through the real binary: valid pictures whose bars are the plan's attempts.</summary>
public sealed class GanttTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static List<XElement> Bars(XDocument svg) => [.. svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "bar")];

    private static double D(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_attempt_of_the_plan_is_a_bar_at_its_start_and_end_on_its_node()
    {
        var json = await HandoffBinary.MustAsync("plan", "-f", PlanHarness.Examples, "-o", "json");
        using var files = new TempManifests();
        var planFile = files.Write("plan.json", json);

        var svg = XDocument.Parse(await HandoffBinary.MustAsync("gantt", "--plan", planFile));

        var plan = JsonDocument.Parse(json).RootElement;
        var makespan = plan.GetProperty("makespan").GetDouble();
        var timeline = plan.GetProperty("timeline").EnumerateArray().ToList();
        var expected = timeline.Where(e => e.GetProperty("event").GetString() == "Started").Select(s =>
        {
            var (ns, name, attempt) = (s.GetProperty("namespace").GetString(), s.GetProperty("name").GetString(), s.GetProperty("attempt").GetInt32());
            var end = timeline.Single(e => e.GetProperty("event").GetString() != "Started" && e.GetProperty("name").GetString() == name && e.GetProperty("attempt").GetInt32() == attempt);
            return $"{ns}/{name}#{attempt}@{s.GetProperty("node").GetString()} {s.GetProperty("time").GetDouble():0.###}-{end.GetProperty("time").GetDouble():0.###} {end.GetProperty("event").GetString()}";
        }).Order(StringComparer.Ordinal).ToList();
        var bars = Bars(svg);
        Assert.Equal(expected, bars.Select(b =>
            $"{b.Attribute("data-function")!.Value}#{b.Attribute("data-attempt")!.Value}@{b.Attribute("data-node")!.Value} {b.Attribute("data-start")!.Value}-{b.Attribute("data-end")!.Value} {b.Attribute("data-phase")!.Value}").Order(StringComparer.Ordinal));
        Assert.Contains(bars, b => b.Attribute("data-phase")!.Value == "Failed"); // examples/retries

        // Geometry: x and width are start and duration on the lane's scale; each bar lies in its node's lane.
        var lanes = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "lane").ToDictionary(r => r.Attribute("data-node")!.Value);
        Assert.Equal(plan.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()!), lanes.Keys);
        foreach (var bar in bars)
        {
            var lane = lanes[bar.Attribute("data-node")!.Value];
            var scale = D(lane, "width") / makespan;
            Assert.Equal(D(lane, "x") + (D(bar, "data-start") * scale), D(bar, "x"), 0.02);
            Assert.Equal(Math.Max(2, (D(bar, "data-end") - D(bar, "data-start")) * scale), D(bar, "width"), 0.02);
            Assert.InRange(D(bar, "y"), D(lane, "y"), D(lane, "y") + D(lane, "height") - D(bar, "height"));
        }

        // Functions that never ran are listed under the chart.
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value.StartsWith("default/too-big: Pending", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_output_svg_is_the_gantt_of_the_same_plan()
    {
        var svg = await HandoffBinary.MustAsync("plan", "-f", Path.Combine(PlanHarness.Examples, "dag"), "-o", "svg");
        var json = await HandoffBinary.MustAsync("plan", "-f", Path.Combine(PlanHarness.Examples, "dag"), "-o", "json");

        var fromJson = await HandoffBinary.RunAsync(["gantt", "--plan", "-", "--title", $"handoff plan -f {Path.Combine(PlanHarness.Examples, "dag")}"], stdin: json);

        Assert.True(fromJson.Succeeded, fromJson.ToString());
        Assert.Equal(svg, fromJson.Stdout);
        Assert.Equal(4, Bars(XDocument.Parse(svg)).Count);
    }

    [Fact]
    public async Task Png_is_a_png_of_the_pictures_size()
    {
        using var files = new TempManifests();
        var planFile = files.Write("plan.json", await HandoffBinary.MustAsync("plan", "-f", Path.Combine(PlanHarness.Examples, "dag"), "-o", "json"));
        var png = Path.Combine(files.Root, "gantt.png");
        var svg = XDocument.Parse(await HandoffBinary.MustAsync("gantt", "--plan", planFile));

        await HandoffBinary.MustAsync("gantt", "--plan", planFile, "-o", "png", "--file", png);

        var bytes = await File.ReadAllBytesAsync(png, TestContext.Current.CancellationToken);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4));
        Assert.Equal(Math.Ceiling(D(svg.Root!, "width")), width);
        Assert.Equal(Math.Ceiling(D(svg.Root!, "height")), height);
    }

    [Fact]
    public async Task A_plan_file_that_is_not_a_plan_is_an_error()
    {
        using var files = new TempManifests();
        var bad = files.Write("bad.json", "{\"functions\": 3}");

        var result = await HandoffBinary.RunAsync(["gantt", "--plan", bad]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: --plan: not the JSON of handoff plan -o json:", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The README's picture is what the tool draws for examples/dag; regenerate it with
    /// <c>dotnet run --project src/Handoff.Cli -- plan -f examples/dag -o svg &gt; docs/images/plan-dag.svg</c> (from the
    /// repository root), or run this test with HANDOFF_UPDATE_DOCS=1.
    /// </summary>
    [Fact]
    public async Task The_readme_gantt_picture_is_what_the_tool_draws_for_examples_dag()
    {
        var committed = Path.Combine(RepoPaths.Root, "docs", "images", "plan-dag.svg");
        var result = await Processes.RunAsync(
            HandoffBinary.AppHost ?? "dotnet", [.. HandoffBinary.AppHost is null ? new[] { HandoffBinary.Dll } : [], "plan", "-f", "examples/dag", "-o", "svg"],
            TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken, workingDirectory: RepoPaths.Root);
        Assert.True(result.Succeeded, result.ToString());
        if (Environment.GetEnvironmentVariable("HANDOFF_UPDATE_DOCS") == "1")
        {
            await File.WriteAllTextAsync(committed, result.Stdout, TestContext.Current.CancellationToken);
        }

        Assert.Equal(await File.ReadAllTextAsync(committed, TestContext.Current.CancellationToken), result.Stdout);
        Assert.Contains("](docs/images/plan-dag.svg)", await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "README.md"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
