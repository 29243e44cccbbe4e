using System.Globalization;
using System.Text;
using Handoff.Api.V1Alpha1;

namespace Handoff.Cli.Sandbox;

/// <summary>Where a function stands for <c>--until-done</c>.</summary>
internal enum FunctionOutcome
{
    /// <summary>Not terminal and may still progress.</summary>
    InProgress,

    Succeeded,

    Failed,

    /// <summary>
    /// Never becomes terminal without a change to the cluster: Pending with reason <c>Unschedulable</c>, Waiting on
    /// unknown args (<c>UnknownDependency</c>), or Waiting on an arg that is itself stuck.
    /// </summary>
    Stuck,
}

/// <summary>One function's classification and why.</summary>
internal sealed record FunctionView(HandoffFunction Function, FunctionOutcome Outcome, string? Why)
{
    public string Key => FunctionProgress.KeyOf(Function);
}

/// <summary>Classifies HandoffFunctions for <c>--until-done</c> and renders the progress table and the summary.</summary>
internal static class FunctionProgress
{
    private static readonly string[] PhaseOrder =
    [
        FunctionPhases.Waiting, FunctionPhases.Pending, FunctionPhases.Scheduled, FunctionPhases.Running,
        FunctionPhases.Succeeded, FunctionPhases.Failed,
    ];

    public static string KeyOf(HandoffFunction f) => f.Metadata.NamespaceProperty + "/" + f.Metadata.Name;

    /// <summary>Classifies every function; dependents of stuck functions are stuck too (transitively).</summary>
    public static IReadOnlyList<FunctionView> Classify(IEnumerable<HandoffFunction> functions)
    {
        var byKey = functions
            .OrderBy(f => f.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(f => f.Metadata.Name, StringComparer.Ordinal)
            .ToDictionary(KeyOf, StringComparer.Ordinal);
        var memo = new Dictionary<string, (FunctionOutcome, string?)>(StringComparer.Ordinal);
        return [.. byKey.Values.Select(f =>
        {
            var (outcome, why) = Outcome(KeyOf(f), byKey, memo, []);
            return new FunctionView(f, outcome, why);
        })];
    }

    private static (FunctionOutcome Outcome, string? Why) Outcome(
        string key, Dictionary<string, HandoffFunction> byKey, Dictionary<string, (FunctionOutcome, string?)> memo, HashSet<string> visiting)
    {
        if (memo.TryGetValue(key, out var known))
        {
            return known;
        }

        var f = byKey[key];
        var status = f.Status;
        (FunctionOutcome, string?) result;
        if (status?.Phase == FunctionPhases.Succeeded)
        {
            result = (FunctionOutcome.Succeeded, null);
        }
        else if (status?.Phase == FunctionPhases.Failed)
        {
            result = (FunctionOutcome.Failed, Describe(ReasonOf(f, ConditionTypes.Completed), status.Message));
        }
        else if (status?.Phase == FunctionPhases.Pending && ReasonOf(f, ConditionTypes.Scheduled) == Reasons.Unschedulable)
        {
            result = (FunctionOutcome.Stuck, Describe(Reasons.Unschedulable, status.Message));
        }
        else if (status?.Phase == FunctionPhases.Waiting && ReasonOf(f, ConditionTypes.DependenciesReady) == Reasons.UnknownDependency)
        {
            result = (FunctionOutcome.Stuck, Describe(Reasons.UnknownDependency, status.Message));
        }
        else if (status?.Phase == FunctionPhases.Waiting && visiting.Add(key))
        {
            result = (FunctionOutcome.InProgress, null);
            foreach (var arg in f.Spec.Args ?? [])
            {
                var argKey = f.Metadata.NamespaceProperty + "/" + arg;
                if (byKey.ContainsKey(argKey) && Outcome(argKey, byKey, memo, visiting).Outcome == FunctionOutcome.Stuck)
                {
                    result = (FunctionOutcome.Stuck, $"waits for {arg}, which is stuck");
                    break;
                }
            }

            visiting.Remove(key);
        }
        else
        {
            result = (FunctionOutcome.InProgress, null);
        }

        memo[key] = result;
        return result;
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
    public static bool AllSettled(IReadOnlyList<FunctionView> views) => views.All(v => v.Outcome != FunctionOutcome.InProgress);

    /// <summary>The live table: NAMESPACE, NAME, PHASE, NODE, ATTEMPTS, RESULT.</summary>
    public static IReadOnlyList<string> Table(IReadOnlyList<FunctionView> views)
    {
        var rows = new List<string[]> { new[] { "NAMESPACE", "NAME", "PHASE", "NODE", "ATTEMPTS", "RESULT" } };
        foreach (var v in views)
        {
            var s = v.Function.Status;
            var phase = s?.Phase ?? "-";
            if (v.Outcome == FunctionOutcome.Stuck)
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
        var counts = PhaseOrder
            .Select(p => (Phase: p, Count: views.Count(v => v.Function.Status?.Phase == p)))
            .Where(c => c.Count > 0)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Phase} {c.Count}"))
            .ToList();
        var noStatus = views.Count(v => string.IsNullOrEmpty(v.Function.Status?.Phase));
        if (noStatus > 0)
        {
            counts.Add(string.Create(CultureInfo.InvariantCulture, $"no status yet {noStatus}"));
        }

        var stuck = views.Count(v => v.Outcome == FunctionOutcome.Stuck);
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"  functions: {views.Count} ({(counts.Count == 0 ? "none" : string.Join(", ", counts))}){(stuck > 0 ? $"; stuck {stuck}" : "")}"));
        lines.Add(makespan is { } m
            ? $"  makespan:  {Seconds(m)} (from the apply to the last function reaching Succeeded or Failed)"
            : "  makespan:  n/a (no function reached Succeeded or Failed)");
        lines.AddRange(Table(views).Select(l => "  " + l));
        var notSucceeded = views.Where(v => v.Outcome != FunctionOutcome.Succeeded).ToList();
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
                var what = v.Outcome switch
                {
                    FunctionOutcome.Failed => "Failed",
                    FunctionOutcome.Stuck => $"stuck in {v.Function.Status?.Phase} (never finishes without a change to the cluster)",
                    _ => $"still {v.Function.Status?.Phase ?? "without status"}",
                };
                lines.Add($"  {v.Key}: {what}{(v.Why is { } why ? ": " + why : v.Outcome == FunctionOutcome.InProgress && !string.IsNullOrEmpty(v.Function.Status?.Message) ? ": " + v.Function.Status!.Message : "")}");
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
