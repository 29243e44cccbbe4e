using System.Globalization;
using Handoff.Cli.Rendering;
using Handoff.Core.Lifecycle;

namespace Handoff.Cli.Gantt;

/// <summary>
/// Draws a <see cref="GanttChart"/>: node lanes top to bottom (a lane grows a row for each attempt that overlaps
/// another on it), time left to right with a labelled axis, bars coloured by phase (<see cref="PhaseStyle"/>), a
/// legend, and the functions that never ran listed underneath.
/// </summary>
internal static class GanttScene
{
    private const double Margin = 16;
    private const double TitleSize = 15;
    private const double LabelSize = 12;
    private const double RowHeight = 24;
    private const double BarHeight = 18;
    private const double PlotWidth = 760;
    private const double AxisHeight = 26;

    public static Scene Build(GanttChart chart)
    {
        var rows = AssignRows(chart);
        var laneRows = chart.Lanes.ToDictionary(l => l, l => Math.Max(1, rows.Where(r => r.Bar.Lane == l).Select(r => r.Row + 1).DefaultIfEmpty(1).Max()), StringComparer.Ordinal);
        var labelWidth = chart.Lanes.Select(l => Scene.TextWidth(l, LabelSize)).DefaultIfEmpty(40).Max() + 12;
        var plotLeft = Margin + labelWidth;
        var plotTop = Margin + TitleSize + 10 + AxisHeight;
        var lanesHeight = chart.Lanes.Sum(l => laneRows[l] * RowHeight);
        var phases = chart.Bars.Select(b => b.Phase).Distinct(StringComparer.Ordinal).OrderBy(PhaseOrder).ToList();
        var legendTop = plotTop + lanesHeight + 14;
        var unplacedTop = legendTop + (phases.Count > 0 ? 24 : 0);
        var height = unplacedTop + (chart.Unplaced.Count * 18) + Margin;
        var width = plotLeft + PlotWidth + Margin + 20;
        var scene = new Scene(width, height, chart.Title);
        var end = chart.End > 0 ? chart.End : 1;
        var scale = PlotWidth / end;

        scene.Add(new SceneText(Margin, Margin + TitleSize, chart.Title, TitleSize) { Bold = true });
        var step = TickStep(end);
        for (var t = 0.0; t <= end + (step / 1000); t += step)
        {
            var x = plotLeft + (t * scale);
            scene.Add(new SceneLine([new(x, plotTop - 4), new(x, plotTop + lanesHeight)], "#dddddd"));
            scene.Add(new SceneText(x, plotTop - 8, Seconds(t), LabelSize - 1) { Anchor = TextAnchor.Middle, Fill = "#555555" });
        }

        scene.Add(new SceneText(plotLeft + PlotWidth + 10, plotTop - 8, "s", LabelSize - 1) { Fill = "#555555" });
        scene.Add(new SceneText(width - Margin, Margin + TitleSize, chart.Origin, LabelSize - 1) { Anchor = TextAnchor.End, Fill = "#555555" });
        var y = plotTop;
        var laneTop = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < chart.Lanes.Count; i++)
        {
            var lane = chart.Lanes[i];
            laneTop[lane] = y;
            var h = laneRows[lane] * RowHeight;
            scene.Add(new SceneRect(plotLeft, y, PlotWidth, h, i % 2 == 0 ? "#f6f7f9" : "#ffffff") { Class = "lane", Data = [new("node", lane)] });
            scene.Add(new SceneText(plotLeft - 8, y + (h / 2) + 4, lane, LabelSize) { Anchor = TextAnchor.End });
            y += h;
        }

        foreach (var (bar, row) in rows)
        {
            var x = plotLeft + (bar.Start * scale);
            var w = Math.Max(2, (bar.End - bar.Start) * scale);
            var top = laneTop[bar.Lane] + (row * RowHeight) + ((RowHeight - BarHeight) / 2);
            var label = ShortName(bar.Function) + (bar.Attempt > 1 ? $" #{bar.Attempt}" : "");
            scene.Add(new SceneRect(x, top, w, BarHeight, PhaseStyle.Hex(FunctionPhases.Parse(bar.Phase)))
            {
                Class = "bar",
                Radius = 3,
                Stroke = bar.Open ? "#333333" : null,
                Tooltip = $"{bar.Function} attempt {bar.Attempt} on {bar.Lane}: {Seconds(bar.Start)}s – {(bar.Open ? "running" : Seconds(bar.End) + "s")} ({bar.Phase})",
                Data =
                [
                    new("function", bar.Function), new("attempt", bar.Attempt.ToString(CultureInfo.InvariantCulture)),
                    new("node", bar.Lane), new("start", Seconds(bar.Start)), new("end", Seconds(bar.End)), new("phase", bar.Phase),
                ],
            });
            if (Scene.TextWidth(label, LabelSize - 1) + 8 <= w)
            {
                scene.Add(new SceneText(x + 4, top + BarHeight - 5, label, LabelSize - 1) { Fill = "#ffffff" });
            }
        }

        var lx = plotLeft;
        foreach (var phase in phases)
        {
            scene.Add(new SceneRect(lx, legendTop, 12, 12, PhaseStyle.Hex(FunctionPhases.Parse(phase))) { Radius = 2, Class = "legend" });
            scene.Add(new SceneText(lx + 16, legendTop + 10, phase, LabelSize - 1));
            lx += 16 + Scene.TextWidth(phase, LabelSize - 1) + 18;
        }

        var uy = unplacedTop;
        foreach (var (function, phase, message) in chart.Unplaced)
        {
            scene.Add(new SceneText(Margin, uy + 12, Fit($"{function}: {phase} ({message})", width - (2 * Margin), LabelSize - 1), LabelSize - 1) { Fill = "#555555" });
            uy += 18;
        }

        return scene;
    }

    /// <summary>Each bar's row within its lane: the first row free at its start (bars in start order).</summary>
    private static List<(GanttBar Bar, int Row)> AssignRows(GanttChart chart)
    {
        var result = new List<(GanttBar, int)>();
        foreach (var lane in chart.Bars.GroupBy(b => b.Lane, StringComparer.Ordinal))
        {
            var rowEnds = new List<double>();
            foreach (var bar in lane.OrderBy(b => b.Start).ThenBy(b => b.Function, StringComparer.Ordinal).ThenBy(b => b.Attempt))
            {
                var row = rowEnds.FindIndex(e => e <= bar.Start);
                if (row < 0)
                {
                    row = rowEnds.Count;
                    rowEnds.Add(bar.End);
                }
                else
                {
                    rowEnds[row] = bar.End;
                }

                result.Add((bar, row));
            }
        }

        return result;
    }

    private static int PhaseOrder(string phase) => FunctionPhases.Parse(phase) is { } p ? (int)p : int.MaxValue;

    /// <summary>A tick step of 1, 2 or 5 times a power of ten giving at most about ten ticks.</summary>
    private static double TickStep(double end)
    {
        var raw = end / 10;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        return new[] { 1.0, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw);
    }

    /// <summary>The text, cut with an ellipsis where it would overflow <paramref name="width"/> (the SVG title of a bar keeps everything).</summary>
    private static string Fit(string text, double width, double size)
    {
        var max = (int)(width / (size * 0.6));
        return text.Length <= max ? text : text[..Math.Max(0, max - 1)] + "…";
    }

    private static string ShortName(string function) => function[(function.IndexOf('/', StringComparison.Ordinal) + 1)..];

    public static string Seconds(double t) => Math.Round(t, 3).ToString("0.###", CultureInfo.InvariantCulture);
}
