namespace Handoff.Chaos.Faults;

/// <summary>
/// A seed's fault schedule. Each family (process, API, cluster) gets one fault per 5 s of the fault window, at least
/// 3; its kinds are taken in turn from the family's list starting at an offset of seed × count, so that a seed with
/// enough window has every kind, and any three consecutive seeds together have every kind even with the fewest faults
/// (7 process and 5 API kinds, 3 of each per seed: offsets 3s mod 7 and 3s mod 5 tile them). Times, durations and
/// targets are random. Deterministic: one <see cref="Random"/> seeded with the seed (apart from the workload's), used
/// in a fixed order.
/// </summary>
public sealed record FaultPlan(int Seed, int Replicas, IReadOnlyList<PlannedFault> Faults)
{
    public static readonly FaultKind[] ProcessKinds =
        [FaultKind.KillAtRandom, FaultKind.KillAfterCreate, FaultKind.KillAfterBind, FaultKind.TermAtRandom, FaultKind.TermAfterCreate, FaultKind.TermAfterBind, FaultKind.PauseLeader];

    public static readonly FaultKind[] ApiKinds = [FaultKind.WatchDrop, FaultKind.GoneStorm, FaultKind.ErrorBurst, FaultKind.ThrottleBurst, FaultKind.Latency];

    public static readonly FaultKind[] ClusterKinds = [FaultKind.CapacityCut, FaultKind.Cordon, FaultKind.DeleteAndRecreate];

    public static FaultPlan Generate(int seed, TimeSpan window)
    {
        var random = new Random(unchecked((seed * 7919) + 104729));
        // Mostly a leader and a standby; sometimes a single replica (a takeover is then a restart).
        var replicas = random.Next(5) == 0 ? 1 : 2;
        var seconds = window.TotalSeconds;
        var faults = new List<PlannedFault>();
        var count = Math.Max(3, (int)(seconds / 5));
        Add(faults, random, ProcessKinds, count, seed * count, window, replicas);
        Add(faults, random, ApiKinds, count, seed * count, window, replicas);
        Add(faults, random, ClusterKinds, count, seed * count, window, replicas);
        return new FaultPlan(seed, replicas, [.. faults.OrderBy(f => f.At)]);
    }

    public int Count(FaultKind kind) => Faults.Count(f => f.Kind == kind);

    private static void Add(List<PlannedFault> faults, Random random, FaultKind[] kinds, int count, int offset, TimeSpan window, int replicas)
    {
        for (var i = 0; i < count; i++)
        {
            var kind = kinds[(int)(((long)offset + i) % kinds.Length + kinds.Length) % kinds.Length];
            // From 1 s on: the operators have started.
            var at = TimeSpan.FromSeconds(1 + (random.NextDouble() * (window.TotalSeconds - 1)));
            var duration = kind switch
            {
                FaultKind.ErrorBurst or FaultKind.ThrottleBurst => TimeSpan.FromMilliseconds(random.Next(300, 2001)),
                FaultKind.Latency => TimeSpan.FromMilliseconds(random.Next(1000, 5001)),
                FaultKind.CapacityCut or FaultKind.Cordon => TimeSpan.FromMilliseconds(random.Next(1000, 5001)),
                FaultKind.DeleteAndRecreate => TimeSpan.FromMilliseconds(random.Next(200, 2001)),
                // How long past its lease the leader stays stopped: the standby sees the last renewal within a retry
                // period, takes the lease a lease duration later, then writes.
                FaultKind.PauseLeader => TimeSpan.FromMilliseconds(random.Next(1500, 3501)),
                // How long a killed or stopped replica stays down before it is started again.
                _ => TimeSpan.FromMilliseconds(random.Next(200, 1501)),
            };
            faults.Add(new PlannedFault(
                kind, at, duration, random.Next(1_000_000), random.NextDouble(), 1 + random.Next(3),
                TargetsStandby: kind == FaultKind.KillAtRandom && replicas == 2 && random.Next(3) == 0));
        }
    }
}
