using System.Text.Json;
using Handoff.Chaos.Faults;
using Handoff.Chaos.Run;
using Handoff.Chaos.Workload;
using Handoff.Core.Resources;

namespace Handoff.Chaos.Tests.Seeds;

/// <summary>A seed fully determines the workload and the fault plan, and every workload can finish.</summary>
public sealed class SeedDeterminismTests
{
    private static readonly ChaosSettings Settings = new() { Functions = 400 };

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(123456)]
    public void The_same_seed_gives_the_same_workload_and_fault_plan(int seed)
    {
        Assert.Equal(Describe(seed), Describe(seed));
        Assert.NotEqual(Describe(seed), Describe(seed + 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(99)]
    public void Workloads_are_DAGs_of_unique_functions_that_each_fit_some_node(int seed)
    {
        var workload = WorkloadGenerator.Generate(seed, Settings.Functions, Settings.ArrivalWindow);
        Assert.Equal(Settings.Functions, workload.Functions.Count);
        Assert.Equal(workload.Functions.Count, workload.Functions.Select(f => f.Name).Distinct().Count());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in workload.Functions)
        {
            // Args come earlier (no cycles) and arrive no later than their dependents.
            Assert.All(f.Args, a => Assert.Contains(a, seen));
            Assert.All(f.Args, a => Assert.True(workload.Function(a).Arrival <= f.Arrival));
            Assert.Contains(workload.Nodes, n => ResourceList.Parse(f.Cost).FitsIn(ResourceList.Parse(n.Capacity)));
            seen.Add(f.Name);
        }

        // Every shape and behaviour is there.
        Assert.Contains(workload.Functions, f => f.Args.Count >= 2);
        Assert.Contains(workload.Functions, f => f.ExtraArgs.Count > 0);
        Assert.Contains(workload.Functions, f => f.Behaviour == FunctionBehaviour.Fails);
        Assert.Contains(workload.Functions, f => f.Behaviour == FunctionBehaviour.Flaky);
        Assert.Contains(ExpectedOutcome.For(workload).Values, o => o.Reason == "DependencyFailed");
    }

    [Fact]
    public void A_long_seeds_plan_has_every_fault_kind_and_the_CI_set_covers_them_all()
    {
        var longRun = new ChaosSettings { Functions = 1000 };
        Assert.All(Enum.GetValues<FaultKind>(), kind => Assert.True(FaultPlan.Generate(1, longRun.FaultWindow).Count(kind) > 0, $"{kind} missing"));
        var ci = CiSeedTests.Seeds.Select(s => FaultPlan.Generate(s, CiSeedTests.Settings.FaultWindow)).ToList();
        Assert.All(Enum.GetValues<FaultKind>(), kind => Assert.True(ci.Sum(p => p.Count(kind)) > 0, $"the CI seeds never inject {kind}"));
        Assert.Contains(ci, p => p.Replicas == 2 && p.Count(FaultKind.PauseLeader) > 0);
    }

    private static string Describe(int seed) =>
        JsonSerializer.Serialize(WorkloadGenerator.Generate(seed, Settings.Functions, Settings.ArrivalWindow)) +
        JsonSerializer.Serialize(FaultPlan.Generate(seed, Settings.FaultWindow));
}
