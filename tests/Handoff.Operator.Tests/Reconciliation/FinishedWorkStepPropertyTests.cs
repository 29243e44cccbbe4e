using CsCheck;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// <see cref="FinishedWorkStep"/> over random DAGs of functions in every recorded state, with every policy: nothing an
/// unfinished function names is deleted or set aside, nothing is collected before its outcome is recorded, and every
/// function is either in the pass or set aside.
/// </summary>
public sealed class FinishedWorkStepPropertyTests
{
    private static readonly DateTimeOffset Now = SnapshotBuilder.Now;

    private enum Recorded
    {
        Nothing,
        Running,
        Succeeded,
        Failed,
    }

    private enum PodState
    {
        None,
        Running,
        Succeeded,
        Failed,
    }

    private sealed record Spec(int[] Args, Recorded Recorded, PodState Pod, string? PodGC, int? Ttl);

    private static readonly Gen<string?> GenPolicy = Gen.OneOfConst<string?>(null, PodGCPolicies.Never, PodGCPolicies.OnSuccess, PodGCPolicies.OnCompletion);

    private static readonly Gen<int?> GenTtl = Gen.OneOfConst<int?>(null, 0, 300, 3600);

    private static readonly Gen<(Spec[] Functions, string DefaultPodGC, int? DefaultTtl)> GenCluster =
        Gen.Int[1, 8].SelectMany(n => Gen.Select(
            Gen.Select(Gen.Int[0, 255].Array[n], Gen.Enum<Recorded>().Array[n], Gen.Enum<PodState>().Array[n], GenPolicy.Array[n], GenTtl.Array[n]),
            Gen.OneOfConst(PodGCPolicies.Never, PodGCPolicies.OnSuccess, PodGCPolicies.OnCompletion),
            GenTtl,
            (t, podGC, ttl) => (Enumerable.Range(0, n).Select(i => new Spec(
                [.. Enumerable.Range(0, i).Where(j => ((t.Item1[i] >> j) & 1) == 1)], t.Item2[i], t.Item3[i], t.Item4[i], t.Item5[i])).ToArray(), podGC, ttl)));

    private static SnapshotBuilder Snapshot(Spec[] specs)
    {
        var snapshot = new SnapshotBuilder().At(Now).HandoffNode(TestObjects.HandoffNode("a").Capacity("cpu", "64"));
        for (var i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            var builder = TestObjects.Function($"f{i}").Args([.. spec.Args.Select(j => $"f{j}")]);
            if (spec.Recorded != Recorded.Nothing)
            {
                var phase = spec.Recorded.ToString();
                builder.Status(new HandoffFunctionStatus
                {
                    Phase = phase,
                    Attempts = 1,
                    PodName = $"f{i}-1",
                    Node = "a",
                    Result = spec.Recorded == Recorded.Succeeded ? "r" : null,
                    CompletionTime = spec.Recorded is Recorded.Succeeded or Recorded.Failed ? Now.AddMinutes(-10).UtcDateTime : null,
                });
            }

            var f = builder.Build();
            f.Spec.PodGC = spec.PodGC;
            f.Spec.TtlSecondsAfterFinished = spec.Ttl;
            snapshot.Function(f);
            var pod = TestObjects.PodOf(f).PlacedOn("a");
            switch (spec.Pod)
            {
                case PodState.Running:
                    snapshot.Pod(pod.Running());
                    break;
                case PodState.Succeeded:
                    snapshot.Pod(pod.Succeeded("r"));
                    break;
                case PodState.Failed:
                    snapshot.Pod(pod.Failed());
                    break;
            }
        }

        return snapshot;
    }

    [Fact]
    public void Nothing_an_unfinished_function_names_is_deleted_or_set_aside_and_nothing_unrecorded_is_collected() =>
        GenCluster.Sample(cluster =>
        {
            var views = PurePass.Run(Snapshot(cluster.Functions)).Functions;
            var work = FinishedWorkStep.Decide(views, new FinishedWorkDefaults(cluster.DefaultPodGC, cluster.DefaultTtl), Now);
            var named = views.Where(f => !f.State.IsTerminal).SelectMany(f => f.Mapped!.Args).ToHashSet(StringComparer.Ordinal);

            // Every function is looked at exactly once: in the pass or set aside.
            Assert.Equal(views.Select(f => f.Key).Order(StringComparer.Ordinal), work.InPass.Concat(work.SetAside).Select(f => f.Key).Order(StringComparer.Ordinal));
            Assert.All(work.InPass.Where(f => !FinishedWorkStep.IsRecordedFinished(f)), f => Assert.DoesNotContain(f, work.SetAside));
            Assert.All(work.SetAside, f => Assert.True(FinishedWorkStep.IsRecordedFinished(f) && !named.Contains(f.Key), f.Key));
            Assert.All(named, key => Assert.Contains(work.InPass, f => f.Key == key));

            // Deleted: finished and recorded so, its TTL passed, and nothing unfinished names it.
            foreach (var f in work.Expired)
            {
                Assert.True(FinishedWorkStep.IsRecordedFinished(f), f.Key);
                Assert.DoesNotContain(f.Key, named);
                Assert.True(f.Record.CompletionTime!.Value.AddSeconds((f.Object.Spec.TtlSecondsAfterFinished ?? cluster.DefaultTtl)!.Value) <= Now, f.Key);
            }

            // Collected: a terminal pod of a function whose outcome is recorded, as its policy says.
            foreach (var collect in work.Pods)
            {
                var f = collect.Function;
                Assert.True(FinishedWorkStep.IsRecordedFinished(f), f.Key);
                Assert.False(collect.Pod.Live, collect.Pod.Key);
                Assert.Equal(f.Object.Spec.PodGC ?? cluster.DefaultPodGC, collect.Policy);
                Assert.True(collect.Policy == PodGCPolicies.OnCompletion || (collect.Policy == PodGCPolicies.OnSuccess && f.State is Succeeded), f.Key);
            }

            // The next expiry is the earliest TTL still to come.
            var upcoming = views.Where(FinishedWorkStep.IsRecordedFinished)
                .Select(f => (f.Object.Spec.TtlSecondsAfterFinished ?? cluster.DefaultTtl) is { } ttl ? f.Record.CompletionTime!.Value.AddSeconds(ttl) : (DateTimeOffset?)null)
                .Where(t => t > Now)
                .ToList();
            Assert.Equal(upcoming.Count == 0 ? null : upcoming.Min(), work.NextExpiry);
        });
}
