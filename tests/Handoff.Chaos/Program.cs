using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Handoff.Chaos.Run;

namespace Handoff.Chaos;

/// <summary>
/// The long chaos run from the command line:
/// <c>dotnet run -c Release --project tests/Handoff.Chaos -- [--seeds 1-30] [--functions 1000] [--min-minutes 30] [--artifacts DIR] [--table FILE] [--operator PATH] [--plan]</c>.
/// Runs the seeds one after the other (and more, from the last one up, until --min-minutes have passed), prints a line
/// per seed and the Markdown table of docs/reliability.md; exits 1 if any seed found a violation (its artifacts —
/// plan, timeline, operator logs, journal — are kept and named). <c>--plan</c> prints what the seeds would do (the
/// workload's shape and the fault plan) without running anything. <c>--operator</c> runs another build of the operator
/// (a published Native AOT executable, as the image runs it, or a <c>.dll</c>) instead of the one built next to the runner.
/// </summary>
public static class ChaosProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync("usage: Handoff.Chaos [--seeds 1-30|1,4,9] [--functions 1000] [--min-minutes 30] [--artifacts DIR] [--table FILE] [--operator PATH] [--plan]");
            return 2;
        }

        var (seeds, settings, minimum, tablePath, planOnly) = options.Value;
        if (planOnly)
        {
            foreach (var seed in seeds)
            {
                PrintPlan(seed, settings);
            }

            return 0;
        }

        // Ctrl-C or SIGTERM: the seed in progress stops its operator processes before the runner exits.
        using var cancel = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var results = new List<ChaosResult>();
        var failedRuns = 0;
        var clock = Stopwatch.StartNew();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        var queue = new Queue<int>(seeds);
        var next = seeds.Max() + 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos: {settings.Functions} functions per seed, arrival window {settings.ArrivalWindow.TotalSeconds:F0} s, fault window {settings.FaultWindow.TotalSeconds:F0} s, seeds {string.Join(",", seeds)}{(minimum > TimeSpan.Zero ? $", at least {minimum.TotalMinutes:F0} min" : "")}"));
        while (!cancel.IsCancellationRequested && (queue.Count > 0 || clock.Elapsed < minimum))
        {
            var seed = queue.Count > 0 ? queue.Dequeue() : next++;
            ChaosResult result;
            try
            {
                result = await ChaosRun.RunAsync(seed, settings, cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                Console.WriteLine($"interrupted during seed {seed.ToString(CultureInfo.InvariantCulture)}");
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The runner's own failure (not the operator's): reported, and the next seed runs.
                failedRuns++;
                Console.WriteLine($"seed {seed.ToString(CultureInfo.InvariantCulture)}: the run itself failed: {e}");
                continue;
            }

            results.Add(result);
            Console.WriteLine(ChaosTable.Row(result));
            foreach (var v in result.Violations.Take(20))
            {
                Console.WriteLine("  " + v);
            }

            if (result.Artifacts is { } artifacts && result.Violations.Count > 0)
            {
                Console.WriteLine($"  artifacts: {artifacts}");
            }
        }

        var table = ChaosTable.Table(results);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count} seeds in {clock.Elapsed.TotalMinutes:F1} min{(failedRuns > 0 ? $"; {failedRuns} run(s) failed to complete" : "")}"));
        Console.WriteLine(table);
        if (tablePath is not null)
        {
            await File.WriteAllTextAsync(tablePath, table);
        }

        return failedRuns > 0 || results.Any(r => r.Violations.Count > 0) ? 1 : 0;
    }

    private static void PrintPlan(int seed, ChaosSettings settings)
    {
        var workload = Workload.WorkloadGenerator.Generate(seed, settings.Functions, settings.ArrivalWindow);
        var plan = Faults.FaultPlan.Generate(seed, settings.FaultWindow);
        var outcomes = Workload.ExpectedOutcome.For(workload);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {workload.Functions.Count} functions ({outcomes.Values.Count(o => o.Succeeds)} to succeed, {workload.Functions.Count(f => f.Args.Count > 0)} with args, " +
            $"{workload.Functions.Count(f => f.Behaviour == Workload.FunctionBehaviour.Flaky)} flaky, {workload.Functions.Count(f => f.Behaviour == Workload.FunctionBehaviour.Fails)} failing) " +
            $"on {workload.Nodes.Count} nodes, {plan.Replicas} replica(s), {plan.Faults.Count} faults:"));
        foreach (var fault in plan.Faults)
        {
            Console.WriteLine("  " + fault);
        }
    }

    private static (List<int> Seeds, ChaosSettings Settings, TimeSpan Minimum, string? Table, bool PlanOnly)? Parse(string[] args)
    {
        var seeds = new List<int> { 1 };
        var settings = new ChaosSettings();
        var minimum = TimeSpan.Zero;
        string? table = null;
        var planOnly = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--plan":
                    planOnly = true;
                    continue;
                case "--seeds" when value is not null && Seeds(value) is { Count: > 0 } parsed:
                    seeds = parsed;
                    break;
                case "--functions" when int.TryParse(value, CultureInfo.InvariantCulture, out var functions) && functions > 0:
                    settings = settings with { Functions = functions };
                    break;
                case "--min-minutes" when double.TryParse(value, CultureInfo.InvariantCulture, out var minutes) && minutes >= 0:
                    minimum = TimeSpan.FromMinutes(minutes);
                    break;
                case "--artifacts" when value is not null:
                    settings = settings with { ArtifactsDirectory = Path.GetFullPath(value) };
                    break;
                case "--table" when value is not null:
                    table = Path.GetFullPath(value);
                    break;
                case "--operator" when value is not null && File.Exists(value):
                    settings = settings with { OperatorBinary = Path.GetFullPath(value) };
                    break;
                default:
                    return null;
            }

            i++;
        }

        return (seeds, settings, minimum, table, planOnly);
    }

    /// <summary><c>1-30</c>, <c>1,4,9</c> or a mix (<c>1-3,7</c>).</summary>
    private static List<int>? Seeds(string text)
    {
        var seeds = new List<int>();
        foreach (var part in text.Split(','))
        {
            var range = part.Split('-');
            if (range.Length == 1 && int.TryParse(range[0], CultureInfo.InvariantCulture, out var one))
            {
                seeds.Add(one);
            }
            else if (range.Length == 2 && int.TryParse(range[0], CultureInfo.InvariantCulture, out var from) && int.TryParse(range[1], CultureInfo.InvariantCulture, out var to) && from <= to)
            {
                seeds.AddRange(Enumerable.Range(from, to - from + 1));
            }
            else
            {
                return null;
            }
        }

        return seeds;
    }
}
