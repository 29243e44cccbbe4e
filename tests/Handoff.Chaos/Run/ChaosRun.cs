using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Handoff.Chaos.Audit;
using Handoff.Chaos.Cluster;
using Handoff.Chaos.Faults;
using Handoff.Chaos.Workload;

namespace Handoff.Chaos.Run;

/// <summary>
/// One seed, end to end: the workload and fault plan the seed determines; the sandbox; the operator replicas (real
/// processes); functions created and faults injected on schedule; then faults cleared, every replica running, and a
/// wait until every function is terminal and every node released (or the convergence timeout); the replicas stopped;
/// the auditor's replay of the API server's journal, and the replicas' logs searched for exceptions that are bugs.
/// </summary>
public static class ChaosRun
{
    public static async Task<ChaosResult> RunAsync(int seed, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var workload = WorkloadGenerator.Generate(seed, settings.Functions, settings.ArrivalWindow);
        var plan = FaultPlan.Generate(seed, settings.FaultWindow);
        var temporary = settings.ArtifactsDirectory is null;
        var directory = Path.Combine(settings.ArtifactsDirectory ?? Path.Combine(Path.GetTempPath(), "handoff-chaos-" + Guid.NewGuid().ToString("N")[..8]),
            "seed-" + seed.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        await File.WriteAllLinesAsync(Path.Combine(directory, "plan.txt"), plan.Faults.Select(f => f.ToString()), cancellationToken);

        var clock = Stopwatch.StartNew();
        await using var cluster = await ChaosCluster.StartAsync(workload, directory, cancellationToken);
        var fleet = new OperatorFleet(cluster, settings, directory);
        using var driver = new WorkloadDriver(cluster, workload);
        using var injector = new FaultInjector(cluster, fleet, driver, workload, settings);
        string? unsettled;
        try
        {
            fleet.Start(plan.Replicas);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var recoveries = driver.RecoverFlakyAsync(stop.Token);
            var runClock = Stopwatch.StartNew();
            await Task.WhenAll(driver.CreateAllAsync(runClock, cancellationToken), injector.RunAsync(plan, runClock, cancellationToken));
            fleet.EnsureRunning();
            unsettled = await SettleAsync(cluster, workload, settings.ConvergenceTimeout, cancellationToken);
            await stop.CancelAsync();
            await recoveries;
        }
        finally
        {
            await fleet.DisposeAsync();
        }

        var writes = cluster.Server.Journal.Snapshot();
        var audit = ChaosAuditor.Audit(writes, AuditExpectations.For(workload, OperatorFleet.LeaseNamespace, OperatorFleet.LeaseName, injector.Pauses));
        var violations = audit.Violations.ToList();
        violations.AddRange(OperatorLogAudit.Audit(Directory.EnumerateFiles(directory, "op-*.log").Order(StringComparer.Ordinal)));
        if (unsettled is not null)
        {
            violations.Add(new Violation(ViolationKind.NotConverged, 0, $"not settled {settings.ConvergenceTimeout.TotalSeconds:F0} s after the last fault: {unsettled}"));
        }

        await File.WriteAllLinesAsync(Path.Combine(directory, "timeline.txt"), injector.Timeline, cancellationToken);
        var result = new ChaosResult
        {
            Seed = seed,
            Functions = workload.Functions.Count,
            Replicas = plan.Replicas,
            Duration = clock.Elapsed,
            Faults = new Dictionary<FaultKind, int>(injector.Injected),
            FaultsSkipped = injector.Skipped,
            TriggerTimeouts = injector.TriggerTimeouts,
            OperatorStarts = fleet.Starts,
            FlakyRecoveries = driver.Recoveries,
            Audit = audit,
            Violations = violations,
            Artifacts = violations.Count > 0 || !temporary ? directory : null,
        };
        if (violations.Count > 0)
        {
            await File.WriteAllLinesAsync(Path.Combine(directory, "violations.txt"), violations.Select(v => v.ToString()), cancellationToken);
            if (violations.Any(v => v.Kind != ViolationKind.OperatorError))
            {
                // The evidence of what the journal shows (an operator error's is in the replica's log, kept beside it).
                await WriteJournalAsync(Path.Combine(directory, "journal.jsonl"), writes, cancellationToken);
            }
        }
        else if (temporary)
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }

        return result;
    }

    private static async Task<string?> SettleAsync(ChaosCluster cluster, ChaosWorkload workload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var unsettled = await cluster.UnsettledAsync(workload, cancellationToken);
            if (unsettled is null || clock.Elapsed > timeout)
            {
                return unsettled;
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>The journal as JSON lines, for looking into a violation (one write per line, with its object).</summary>
    private static async Task WriteJournalAsync(string path, IReadOnlyList<Sandbox.SandboxWrite> writes, CancellationToken cancellationToken)
    {
        await using var file = new StreamWriter(path, append: false, Encoding.UTF8);
        foreach (var w in writes)
        {
            await file.WriteLineAsync(JsonSerializer.Serialize(new
            {
                rv = w.ResourceVersion,
                type = w.Type,
                resource = w.Resource,
                ns = w.Namespace,
                name = w.Name,
                agent = w.UserAgent,
                request = w.Request,
                @object = JsonSerializer.Deserialize<JsonElement>(w.Json.Span),
            }).AsMemory(), cancellationToken);
        }
    }
}
