namespace Handoff.Cli.Gantt;

/// <summary>
/// One attempt of a function on a node, in seconds from the chart's origin. <see cref="Open"/>: it has not ended
/// (a live function still running; its bar ends at the chart's end).
/// </summary>
internal sealed record GanttBar(string Lane, string Function, int Attempt, double Start, double End, string Phase)
{
    public bool Open { get; init; }
}

/// <summary>
/// A schedule to draw: one lane per node (in order, empty ones too), the bars, and the functions that have no bar
/// (never placed) with why. <see cref="Origin"/> says what time 0 is (e.g. "plan start", or a timestamp).
/// </summary>
internal sealed record GanttChart(string Title, string Origin, IReadOnlyList<string> Lanes, IReadOnlyList<GanttBar> Bars, double End)
{
    /// <summary>Functions without a bar: <c>ns/name</c> and their phase and message.</summary>
    public IReadOnlyList<(string Function, string Phase, string Message)> Unplaced { get; init; } = [];
}
