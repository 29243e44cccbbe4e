using System.Globalization;

namespace Handoff.Chaos.Workload;

/// <summary>
/// Builds a seed's workload: 6 HandoffNodes (two of them with GPUs), then groups of functions — single ones, chains,
/// fan-out/fan-in and diamonds with extra args — arriving over the arrival window. Most functions succeed; some fail
/// every attempt, some are flaky (fail k attempts, then succeed). Results include quotes, commas, brackets and
/// non-ASCII text so that handing them on through JSON is exercised. Deterministic: one <see cref="Random"/> seeded
/// with the seed, used in a fixed order.
/// </summary>
public static class WorkloadGenerator
{
    private static readonly string[] Strategies = ["FirstAvailable", "LoadBalanced", "BestFit"];

    private static readonly string[] OddResults = ["\"quoted\", with a comma", "[1,2,{\"x\":3}]", "naïve café ✓", "line\\tab", " leading space", "{}"];

    public static ChaosWorkload Generate(int seed, int functions, TimeSpan arrivalWindow)
    {
        var random = new Random(seed);
        var nodes = Enumerable.Range(0, 6).Select(i => new ChaosNode(
            $"hn-{i}",
            $"k-{i}",
            i < 2
                ? new Dictionary<string, string> { ["cpu"] = "8", ["memory"] = "16000", ["gpu"] = "2" }
                : new Dictionary<string, string> { ["cpu"] = i % 2 == 0 ? "8" : "6", ["memory"] = "16000" })).ToList();
        var list = new List<ChaosFunction>(functions);
        while (list.Count < functions)
        {
            var arrival = TimeSpan.FromMilliseconds(arrivalWindow.TotalMilliseconds * list.Count / functions);
            var shape = random.Next(100) switch
            {
                < 30 => "single",
                < 60 => "chain",
                < 85 => "fan",
                _ => "diamond",
            };
            var size = Math.Min(functions - list.Count, shape switch
            {
                "single" => 1,
                "chain" => random.Next(2, 6),
                "fan" => random.Next(4, 9), // a root, 2–6 functions taking its result, a join taking all theirs
                _ => 4,
            });
            var first = list.Count;
            for (var i = 0; i < size; i++)
            {
                var index = list.Count;
                IReadOnlyList<string> args = (shape, i) switch
                {
                    (_, 0) => [],
                    ("chain", _) => [list[index - 1].Name],
                    ("fan", _) when i == size - 1 && size >= 3 => [.. list.Skip(first + 1).Take(size - 2).Select(f => f.Name)],
                    ("diamond", 3) => [list[first + 1].Name, list[first + 2].Name],
                    _ => [list[first].Name],
                };
                list.Add(Function(random, seed, index, args, arrival));
            }
        }

        return new ChaosWorkload(seed, "chaos-" + seed.ToString(CultureInfo.InvariantCulture), nodes, list);
    }

    private static ChaosFunction Function(Random random, int seed, int index, IReadOnlyList<string> args, TimeSpan arrival)
    {
        var cost = new Dictionary<string, string>
        {
            ["cpu"] = random.Next(1, 4).ToString(CultureInfo.InvariantCulture),
            ["memory"] = (random.Next(2, 17) * 250).ToString(CultureInfo.InvariantCulture),
        };
        if (random.Next(10) == 0)
        {
            cost["gpu"] = "1";
        }

        var roll = random.Next(100);
        var (behaviour, failing, maxRetries) = roll switch
        {
            < 5 => (FunctionBehaviour.Fails, 0, random.Next(3) == 0 ? 1 : 0),
            < 12 => Flaky(random),
            _ => (FunctionBehaviour.Succeeds, 0, random.Next(4)),
        };
        var result = random.Next(8) == 0
            ? OddResults[random.Next(OddResults.Length)] + " #" + index.ToString(CultureInfo.InvariantCulture)
            : $"r{seed}-{index}";
        return new ChaosFunction
        {
            Name = "f-" + index.ToString("D5", CultureInfo.InvariantCulture),
            Args = args,
            ExtraArgs = random.Next(4) == 0 ? [.. Enumerable.Range(0, random.Next(1, 3)).Select(i => $"x{i}-{random.Next(1000)}")] : [],
            Cost = cost,
            Strategy = Strategies[random.Next(Strategies.Length)],
            MaxRetries = maxRetries,
            Behaviour = behaviour,
            ExitCode = random.Next(1, 126),
            FailingAttempts = failing,
            Result = result,
            Duration = TimeSpan.FromMilliseconds(random.Next(50, 501)),
            Arrival = arrival,
        };
    }

    /// <summary>Fails once (or, rarely, twice) and is allowed as many retries, or one fewer (then it fails for good).</summary>
    private static (FunctionBehaviour, int, int) Flaky(Random random)
    {
        var failing = random.Next(5) == 0 ? 2 : 1;
        var maxRetries = random.Next(4) == 0 ? failing - 1 : failing;
        return (FunctionBehaviour.Flaky, failing, maxRetries);
    }
}
