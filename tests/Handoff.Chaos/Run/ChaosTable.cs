using System.Globalization;
using System.Text;
using Handoff.Chaos.Faults;

namespace Handoff.Chaos.Run;

/// <summary>The results of a set of seeds as the Markdown table of docs/reliability.md: one row per seed and a total.</summary>
public static class ChaosTable
{
    public const string Header =
        "| seed | functions | replicas | run | kill -9 (random / after create / after bind) | SIGTERM (random / after create / after bind) | SIGSTOP > lease (takeovers; writes after; write requests after SIGCONT) | watch drops | 410 storms | 500 bursts | 429 bursts | latency | capacity cuts | cordons | delete + re-create | skipped | bindings | leader changes | violations |\n" +
        "| ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";

    public static string Row(ChaosResult r) => Row(
        r.Seed.ToString(CultureInfo.InvariantCulture), r.Functions, r.Replicas.ToString(CultureInfo.InvariantCulture), r.Duration, [r], Violations(r));

    public static string Total(IReadOnlyList<ChaosResult> results) => Row(
        $"**{results.Count} seeds**", results.Sum(r => r.Functions), "", TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks)), results,
        $"**{results.Sum(r => r.Violations.Count)}**");

    public static string Table(IReadOnlyList<ChaosResult> results)
    {
        var table = new StringBuilder(Header).Append('\n');
        foreach (var r in results)
        {
            table.Append(Row(r)).Append('\n');
        }

        return table.Append(Total(results)).Append('\n').ToString();
    }

    private static string Row(string seed, int functions, string replicas, TimeSpan duration, IReadOnlyList<ChaosResult> rs, string violations)
    {
        int N(params FaultKind[] kinds) => rs.Sum(r => r.FaultCount(kinds));
        var pauses = rs.SelectMany(r => r.Audit.Pauses).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {seed} | {functions} | {replicas} | {duration.TotalSeconds:F0} s | {N(FaultKind.KillAtRandom)} / {N(FaultKind.KillAfterCreate)} / {N(FaultKind.KillAfterBind)} " +
            $"| {N(FaultKind.TermAtRandom)} / {N(FaultKind.TermAfterCreate)} / {N(FaultKind.TermAfterBind)} " +
            $"| {N(FaultKind.PauseLeader)} ({pauses.Count(p => p.TakeoverAt is not null)}; {pauses.Sum(p => p.WritesAfterTakeover)}; {pauses.Sum(p => p.Episode.WriteRequestsAfterContinue ?? 0)}) " +
            $"| {N(FaultKind.WatchDrop)} | {N(FaultKind.GoneStorm)} | {N(FaultKind.ErrorBurst)} | {N(FaultKind.ThrottleBurst)} | {N(FaultKind.Latency)} " +
            $"| {N(FaultKind.CapacityCut)} | {N(FaultKind.Cordon)} | {N(FaultKind.DeleteAndRecreate)} | {rs.Sum(r => r.FaultsSkipped)} " +
            $"| {rs.Sum(r => r.Audit.Bindings)} | {rs.Sum(r => r.Audit.LeaderChanges)} | {violations} |");
    }

    private static string Violations(ChaosResult r) => r.Violations.Count == 0
        ? "0"
        : $"**{r.Violations.Count}**: " + string.Join(", ", r.Violations.GroupBy(v => v.Kind).Select(g => $"{g.Count()} {g.Key}"));
}
