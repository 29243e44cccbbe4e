using System.Globalization;
using System.Text;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// Where a function stands for <c>--until-done</c>: its phase, and whether it is stuck — never finishes without a
/// change to the cluster (Pending with reason <c>Unschedulable</c>, Waiting on an unknown reference, or Waiting on an
/// arg that is itself stuck, transitively).
/// </summary>
internal sealed record FunctionView(HandoffFunction Function, FunctionPhase? Phase, bool Stuck, string? Why)
{
    public string Key => FunctionProgress.KeyOf(Function);

    public bool Succeeded => Phase == FunctionPhase.Succeeded;

    /// <summary>Terminal or stuck: it will not change by itself.</summary>
    public bool Settled => Stuck || Phase is { } p && p.IsTerminal();
}

/// <summary>Classifies HandoffFunctions for <c>--until-done</c> and renders the progress table and the summary.</summary>
internal static class FunctionProgress
{
    public static string KeyOf(HandoffFunction f) => ObjectKeys.Of(f.Metadata.NamespaceProperty, f.Metadata.Name);

    /// <summary>Classifies every function; dependents of stuck functions are stuck too (Core's failure propagation).</summary>
    public static IReadOnlyList<FunctionView> Classify(IEnumerable<HandoffFunction> functions)
    {
        var list = functions
            .OrderBy(f => f.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(f => f.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var graph = new FunctionGraph(list.Select(f => new FunctionDependencies(
            KeyOf(f), [.. (f.Spec?.Args ?? []).Select(a => ObjectKeys.Of(f.Metadata.NamespaceProperty, a))])));
        var why = new string?[list.Count];
        var stuck = new bool[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var f = list[i];
            var phase = FunctionPhases.Parse(f.Status?.Phase);
            if (phase == FunctionPhase.Failed)
            {
                why[i] = Describe(ReasonOf(f, ConditionTypes.Completed), f.Status!.Message);
            }
            else if (phase == FunctionPhase.Pending && ReasonOf(f, ConditionTypes.Scheduled) == Reasons.Unschedulable)
            {
                (stuck[i], why[i]) = (true, Describe(Reasons.Unschedulable, f.Status!.Message));
            }
            else if (phase == FunctionPhase.Waiting && ReasonOf(f, ConditionTypes.DependenciesReady) == Reasons.UnknownDependency)
            {
                (stuck[i], why[i]) = (true, Describe(Reasons.UnknownDependency, f.Status!.Message));
            }
        }

        var swept = new bool[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            if (stuck[i])
            {
                DependencyResolver.PropagateFailure(graph, i, swept, dependent =>
                {
                    if (stuck[dependent] || FunctionPhases.Parse(list[dependent].Status?.Phase) != FunctionPhase.Waiting)
                    {
                        return false;
                    }

                    stuck[dependent] = true;
                    var via = DependencyResolver.FirstFailedArg(graph, dependent, j => stuck[j]);
                    why[dependent] = $"waits for {ObjectKeys.NameOf(graph.Ids[via])}, which is stuck";
                    return true;
                });
            }
        }

        return [.. list.Select((f, i) => new FunctionView(f, FunctionPhases.Parse(f.Status?.Phase), stuck[i], why[i]))];
    }

    private static string? ReasonOf(HandoffFunction f, string conditionType) =>
        f.Status?.Conditions?.FirstOrDefault(c => c.Type == conditionType)?.Reason;

    private static string Describe(string? reason, string? message) =>
        (reason, string.IsNullOrEmpty(message)) switch
        {
            (null, true) => "no reason given",
            (null, false) => message!,
            (_, true) => reason,
            _ => reason + ": " + message,
        };

    /// <summary>True when no function can progress any more (every one Succeeded, Failed or stuck).</summary>
    public static bool AllSettled(IReadOnlyList<FunctionView> views) => views.All(v => v.Settled);

    /// <summary>The live table: NAMESPACE, NAME, PHASE, NODE, ATTEMPTS, RESULT.</summary>
    public static IReadOnlyList<string> Table(IReadOnlyList<FunctionView> views)
    {
        var rows = new List<string[]> { new[] { "NAMESPACE", "NAME", "PHASE", "NODE", "ATTEMPTS", "RESULT" } };
        foreach (var v in views)
        {
            var s = v.Function.Status;
            var phase = s?.Phase ?? "-";
            if (v.Stuck)
            {
                phase += " (stuck)";
            }

            rows.Add(
            [
                v.Function.Metadata.NamespaceProperty ?? "", v.Function.Metadata.Name, phase, s?.Node ?? "-",
                (s?.Attempts ?? 0).ToString(CultureInfo.InvariantCulture), Shorten(s?.Result) ?? "",
            ]);
        }

        var widths = Enumerable.Range(0, 6).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return [.. rows.Select(r => string.Join("   ", r.Select((cell, i) => i == r.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd())];
    }

    /// <summary>One progress line for a phase change (used when the output is not a terminal).</summary>
    public static string PhaseLine(TimeSpan elapsed, HandoffFunction f)
    {
        var s = f.Status;
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"[{Seconds(elapsed),8}] {KeyOf(f)} {s?.Phase ?? "-"}");
        if (!string.IsNullOrEmpty(s?.Node))
        {
            line.Append(CultureInfo.InvariantCulture, $" node={s.Node}");
        }

        if (s?.Attempts > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" attempt={s.Attempts}");
        }

        if (s?.Phase == FunctionPhases.Succeeded)
        {
            line.Append(CultureInfo.InvariantCulture, $" result=\"{Shorten(s.Result) ?? ""}\"");
        }
        else if (!string.IsNullOrEmpty(s?.Message))
        {
            line.Append(CultureInfo.InvariantCulture, $" ({s.Message})");
        }

        return line.ToString();
    }

    /// <summary>The summary printed at the end: counts per phase, makespan, the table, and what did not succeed.</summary>
    public static IReadOnlyList<string> Summary(IReadOnlyList<FunctionView> views, TimeSpan? makespan)
    {
        var lines = new List<string> { "", "summary:" };
        var counts = FunctionPhases.Names
            .Select(p => (Phase: p, Count: views.Count(v => v.Function.Status?.Phase == p)))
            .Where(c => c.Count > 0)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Phase} {c.Count}"))
            .ToList();
        var noStatus = views.Count(v => string.IsNullOrEmpty(v.Function.Status?.Phase));
        if (noStatus > 0)
        {
            counts.Add(string.Create(CultureInfo.InvariantCulture, $"no status yet {noStatus}"));
        }

        var stuck = views.Count(v => v.Stuck);
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"  functions: {views.Count} ({(counts.Count == 0 ? "none" : string.Join(", ", counts))}){(stuck > 0 ? $"; stuck {stuck}" : "")}"));
        lines.Add(makespan is { } m
            ? $"  makespan:  {Seconds(m)} (from the apply to the last function reaching Succeeded or Failed)"
            : "  makespan:  n/a (no function reached Succeeded or Failed)");
        lines.AddRange(Table(views).Select(l => "  " + l));
        var notSucceeded = views.Where(v => !v.Succeeded).ToList();
        if (views.Count == 0)
        {
            lines.Add("no HandoffFunctions were applied: nothing to wait for");
        }
        else if (notSucceeded.Count == 0)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"all {views.Count} functions Succeeded"));
        }
        else
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"not done: {notSucceeded.Count} of {views.Count} functions did not succeed"));
            foreach (var v in notSucceeded)
            {
                var what = v.Phase == FunctionPhase.Failed ? "Failed"
                    : v.Stuck ? $"stuck in {v.Function.Status?.Phase} (never finishes without a change to the cluster)"
                    : $"still {v.Function.Status?.Phase ?? "without status"}";
                lines.Add($"  {v.Key}: {what}{(v.Why is { } why ? ": " + why : !v.Settled && !string.IsNullOrEmpty(v.Function.Status?.Message) ? ": " + v.Function.Status!.Message : "")}");
            }
        }

        return lines;
    }

    /// <summary>A duration as a user wrote it: 5m, 1m30s, 30s, 0.5s.</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.FromMinutes(1))
        {
            return t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        var text = t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h") : "";
        text += t.Minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m") : "";
        var seconds = t.Seconds + (t.Milliseconds / 1000.0);
        return seconds > 0 ? text + seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s" : text;
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";

    private static string? Shorten(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var oneLine = text.Trim().ReplaceLineEndings(" ");
        return oneLine.Length <= 40 ? oneLine : oneLine[..39] + "…";
    }
}
