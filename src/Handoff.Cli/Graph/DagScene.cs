using Handoff.Cli.Rendering;
using Handoff.Core.Lifecycle;

namespace Handoff.Cli.Graph;

/// <summary>
/// Lays a DAG out left to right for a picture: one column per layer (<see cref="FunctionDag.Layers"/>), boxes in a
/// column ordered by the mean row of their args (so edges cross less), an arrow from each arg to its dependent.
/// </summary>
internal static class DagScene
{
    private const double Margin = 16;
    private const double BoxHeight = 40;
    private const double GapX = 56;
    private const double GapY = 18;
    private const double TextSize = 12;

    public static Scene Build(FunctionDag dag, string title)
    {
        var layers = dag.Layers();
        var boxWidth = dag.Nodes.Select(n => Math.Max(Scene.TextWidth(n.Name, TextSize), Scene.TextWidth(n.Phase ?? "missing", TextSize - 1))).DefaultIfEmpty(60).Max() + 20;
        var columns = layers.GroupBy(kv => kv.Value).OrderBy(g => g.Key).Select(g => g.Select(kv => kv.Key).ToList()).ToList();
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            var ordered = column
                .OrderBy(id => dag.ArgsOf(id).Where(row.ContainsKey).Select(a => row[a]).DefaultIfEmpty(0).Average())
                .ThenBy(id => id, StringComparer.Ordinal).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                row[ordered[i]] = i;
            }
        }

        var rows = columns.Select(c => c.Count).DefaultIfEmpty(1).Max();
        var top = Margin + 30;
        var width = (2 * Margin) + (columns.Count * boxWidth) + (Math.Max(0, columns.Count - 1) * GapX);
        var height = top + (rows * BoxHeight) + (Math.Max(0, rows - 1) * GapY) + Margin;
        var scene = new Scene(Math.Max(width, Scene.TextWidth(title, 15) + (2 * Margin)), height, title);
        scene.Add(new SceneText(Margin, Margin + 15, title, 15) { Bold = true });
        double X(string id) => Margin + (layers[id] * (boxWidth + GapX));
        double Y(string id) => top + (row[id] * (BoxHeight + GapY));
        foreach (var (from, to) in dag.Edges)
        {
            var (x1, y1) = (X(from) + boxWidth, Y(from) + (BoxHeight / 2));
            var (x2, y2) = (X(to), Y(to) + (BoxHeight / 2));
            var mid = (x1 + x2) / 2;
            scene.Add(new SceneLine([new(x1, y1), new(mid, y1), new(mid, y2), new(x2 - 1, y2)], "#555555") { Arrow = true, StrokeWidth = 1.2 });
        }

        foreach (var node in dag.Nodes)
        {
            var fill = node.Missing ? "#ffffff" : PhaseStyle.Hex(FunctionPhases.Parse(node.Phase));
            var text = node.Missing ? "#d64541" : "#ffffff";
            scene.Add(new SceneRect(X(node.Id), Y(node.Id), boxWidth, BoxHeight, fill)
            {
                Radius = 6,
                Class = "function",
                Stroke = node.Missing ? "#d64541" : null,
                Tooltip = node.Missing ? $"{node.Id}: missing (no such HandoffFunction)" : $"{node.Id}: {node.Phase ?? "no status"}{(node.Node is { Length: > 0 } n ? " on " + n : "")}",
                Data = [new("function", node.Id), new("phase", node.Missing ? "Missing" : node.Phase ?? "")],
            });
            scene.Add(new SceneText(X(node.Id) + (boxWidth / 2), Y(node.Id) + 17, node.Name, TextSize) { Anchor = TextAnchor.Middle, Fill = text, Bold = true });
            scene.Add(new SceneText(X(node.Id) + (boxWidth / 2), Y(node.Id) + 32, node.Missing ? "missing" : node.Phase ?? "-", TextSize - 1) { Anchor = TextAnchor.Middle, Fill = text });
        }

        return scene;
    }
}
