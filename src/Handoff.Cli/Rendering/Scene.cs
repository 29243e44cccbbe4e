namespace Handoff.Cli.Rendering;

/// <summary>
/// A picture as a few shapes, in pixels from the top left: what the Gantt chart and the DAG are drawn as, written
/// out by <see cref="SvgWriter"/> or painted by <see cref="PngWriter"/> (the same picture either way).
/// </summary>
internal sealed class Scene(double width, double height, string title)
{
    /// <summary>The font every text uses; sizes are estimated from it (<see cref="TextWidth"/>).</summary>
    public const string FontFamily = "DejaVu Sans Mono, Menlo, Consolas, monospace";

    public double Width { get; } = width;

    public double Height { get; } = height;

    /// <summary>The picture's title (SVG <c>&lt;title&gt;</c>).</summary>
    public string Title { get; } = title;

    public List<SceneElement> Elements { get; } = [];

    /// <summary>The width of <paramref name="text"/> in the scene's monospace font (0.6 em per character).</summary>
    public static double TextWidth(string text, double size) => text.Length * size * 0.6;

    public void Add(SceneElement element) => Elements.Add(element);
}

/// <summary>One shape of a <see cref="Scene"/>.</summary>
internal abstract record SceneElement;

/// <summary>
/// A rectangle. <see cref="Tooltip"/> becomes an SVG <c>&lt;title&gt;</c> (shown on hover); <see cref="Data"/>
/// becomes <c>data-*</c> attributes, so a reader (or a test) can tell what a bar stands for.
/// </summary>
internal sealed record SceneRect(double X, double Y, double Width, double Height, string Fill) : SceneElement
{
    public string? Stroke { get; init; }

    public double Radius { get; init; }

    public string? Tooltip { get; init; }

    /// <summary>The SVG class (e.g. <c>bar</c>, <c>lane</c>).</summary>
    public string? Class { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Data { get; init; } = [];
}

internal enum TextAnchor
{
    Start,
    Middle,
    End,
}

/// <summary>A line of text; <see cref="Y"/> is its baseline.</summary>
internal sealed record SceneText(double X, double Y, string Text, double Size) : SceneElement
{
    public string Fill { get; init; } = "#222222";

    public TextAnchor Anchor { get; init; } = TextAnchor.Start;

    public bool Bold { get; init; }
}

/// <summary>A polyline, optionally ending in an arrowhead.</summary>
internal sealed record SceneLine(IReadOnlyList<ScenePoint> Points, string Stroke) : SceneElement
{
    public double StrokeWidth { get; init; } = 1;

    public bool Arrow { get; init; }

    public bool Dashed { get; init; }
}

internal readonly record struct ScenePoint(double X, double Y);
