using Handoff.Cli.Cluster;
using Handoff.Cli.Planning;
using Handoff.Core.Lifecycle;

namespace Handoff.Cli.Gantt;

/// <summary>Where a Gantt chart comes from: a plan's timeline, or the statuses of a live cluster's functions.</summary>
internal static class GanttSources
{
    /// <summary>
    /// Every attempt of the plan's timeline is a bar from its <c>Started</c> to its end event, coloured by how it ended;
    /// lanes are the plan's nodes; functions that never ran are listed with their plan phase and message.
    /// </summary>
    public static GanttChart FromPlan(PlanDocument plan, string title)
    {
        var bars = new List<GanttBar>();
        var open = new Dictionary<(string, int), TimelineEntry>();
        foreach (var e in plan.Timeline)
        {
            var function = $"{e.Namespace}/{e.Name}";
            if (e.Event == "Started")
            {
                open[(function, e.Attempt)] = e;
            }
            else if (open.Remove((function, e.Attempt), out var started))
            {
                bars.Add(new GanttBar(e.Node, function, e.Attempt, started.Time, e.Time, e.Event));
            }
        }

        // An attempt without an end in the timeline does not occur in a finished plan; drawn as still running if it does.
        bars.AddRange(open.Values.Select(s => new GanttBar(s.Node, $"{s.Namespace}/{s.Name}", s.Attempt, s.Time, plan.Makespan, FunctionPhases.Running) { Open = true }));
        var lanes = plan.Nodes.Select(n => n.Name).Concat(bars.Select(b => b.Lane)).Distinct(StringComparer.Ordinal).ToList();
        var origin = plan.Now is { } now ? $"0 s = {now}" : "0 s = plan start";
        return new GanttChart(title, origin, lanes, bars, plan.Makespan)
        {
            Unplaced = [.. plan.Functions.Where(f => f.Start is null).Select(f => ($"{f.Namespace}/{f.Name}", f.Phase, f.Message))],
        };
    }

    /// <summary>
    /// The functions of <paramref name="namespace"/> (all when null) that started: a bar on their node from
    /// <c>status.startTime</c> to <c>status.completionTime</c> (or now, while running), coloured by phase. Time 0 is
    /// the earliest start. The API keeps these times in whole seconds, and only for the last attempt.
    /// </summary>
    public static GanttChart FromLive(LiveCluster cluster, string? @namespace, string title)
    {
        var functions = cluster.FunctionsIn(@namespace).ToList();
        var started = functions.Where(f => f.Status?.StartTime is not null && !string.IsNullOrEmpty(f.Status.Node)).ToList();
        var origin = started.Select(f => LiveCluster.Utc(f.Status.StartTime!.Value)).DefaultIfEmpty(cluster.Now).Min();
        double At(DateTime t) => Math.Max(0, (LiveCluster.Utc(t) - origin).TotalSeconds);
        var bars = started.Select(f =>
        {
            var s = f.Status;
            var end = s.CompletionTime is { } done ? At(done) : Math.Max(0, (cluster.Now - origin).TotalSeconds);
            var start = At(s.StartTime!.Value);
            return new GanttBar(s.Node!, LiveCluster.Id(f), Math.Max(1, s.Attempts), start, Math.Max(end, start), s.Phase ?? "-")
            {
                Open = !FunctionPhases.IsTerminal(s.Phase),
            };
        }).ToList();
        var lanes = cluster.HandoffNodes.Select(n => n.Metadata.Name).Concat(bars.Select(b => b.Lane)).Distinct(StringComparer.Ordinal).ToList();
        var endTime = bars.Select(b => b.End).DefaultIfEmpty(0).Max();
        return new GanttChart(title, $"0 s = {origin.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}", lanes, bars, endTime)
        {
            Unplaced = [.. functions.Except(started).Select(f => (LiveCluster.Id(f), f.Status?.Phase ?? "-", f.Status?.Message ?? ""))],
        };
    }
}
