using Handoff.Chaos.Run;

namespace Handoff.Chaos.Tests.Seeds;

/// <summary>
/// The CI seed set: whole chaos runs — the real operator binary as one or two processes with leader election, the
/// sandbox's kubelet, the fault plan of each seed — audited from the API server's journal. Together the seeds inject
/// every fault kind (checked by <see cref="SeedDeterminismTests"/>). One class, so the seeds run one after the other:
/// they share two cores with the rest of the suite. The long run is <c>dotnet run -c Release --project
/// tests/Handoff.Chaos -- --seeds 1-30 --functions 1000 --min-minutes 30</c> (docs/reliability.md).
/// </summary>
public sealed class CiSeedTests(ITestOutputHelper output)
{
    public static readonly int[] Seeds = [1, 2, 3];

    public static readonly ChaosSettings Settings = new() { Functions = 150 };

    public static TheoryData<int> SeedData() => [.. Seeds];

    [Theory]
    [MemberData(nameof(SeedData))]
    public async Task A_seed_runs_with_faults_and_the_auditor_finds_nothing(int seed)
    {
        var result = await ChaosRun.RunAsync(seed, Settings, TestContext.Current.CancellationToken);
        output.WriteLine(ChaosTable.Header);
        output.WriteLine(ChaosTable.Row(result));
        Assert.Equal(result.Functions, result.Audit.Functions);
        Assert.True(result.Audit.Bindings >= result.Audit.Succeeded, "every function that succeeded was bound at least once");
        Assert.True(result.Faults.Values.Sum() >= 6, "faults were injected");
        Assert.True(result.Violations.Count == 0,
            $"seed {seed}: {result.Violations.Count} violations (artifacts: {result.Artifacts}):\n{string.Join("\n", result.Violations.Take(30))}");
    }
}
