using System.Globalization;
using CsCheck;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Tracking;
using Handoff.Operator.Controllers;
using Handoff.Operator.Reconciliation;
using Handoff.Operator.Tests.Support;
using Handoff.Testing.Builders;
using k8s.Models;

namespace Handoff.Operator.Tests.Reconciliation;

/// <summary>
/// A term's passes look only at what changed (the pod view and holdings kept from pass to pass, the function views
/// walked beside the last listing); a fresh term looks at everything. Over caches changed at random between passes —
/// functions created, rewritten (a status write's echo) and deleted; their pods created unbound or bound, running,
/// finished, terminating, gone, orphaned; everyone else's pods on a Node-backed node; plain pods waiting for Handoff;
/// allocations of a scheduling cycle in between — each pass of the long-lived term sees exactly what a fresh term sees
/// of the same snapshot: the same pod view, the same holdings and tracker, the same function views.
/// </summary>
public sealed class IncrementalPassPropertyTests
{
    private const string Namespace = "default";
    private static readonly RetryPolicy Retry = new(HandoffApi.DefaultMaxRetries);

    // Operation kind, then small numbers picking the function, the attempt and the pod's state.
    private static readonly Gen<(int Kind, int Function, int Attempt, int State)[]> GenOps =
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 4], Gen.Int[1, 3], Gen.Int[0, 7]).Array[1, 60];

    [Fact]
    public void Every_pass_of_a_term_sees_what_a_fresh_term_sees() =>
        GenOps.Sample(ops =>
        {
            var cluster = CachedCluster.WithTwoNodes();
            Pass(cluster);
            for (var clock = 0; clock < ops.Length; clock++)
            {
                var (kind, function, attempt, state) = ops[clock];
                Change(cluster, clock + 1, kind, function, attempt, state);
            }

            Pass(cluster);
        });

    private static void Change(CachedCluster cluster, int clock, int kind, int function, int attempt, int state)
    {
        var name = "f" + function.ToString(CultureInfo.InvariantCulture);
        var uid = "uid-" + name + "-" + (function + (clock / 20)).ToString(CultureInfo.InvariantCulture);
        var f = cluster.Functions.Get(Namespace, name);
        switch (kind)
        {
            case 0 or 1:
                // Created, or written again: a status write's echo (a new object, the same spec) or a new cost (a new
                // generation: what its pods without a recorded cost hold changes with it).
                var cost = kind == 0 ? 1 : attempt;
                var built = TestObjects.Function(name).Uid(f?.Metadata.Uid ?? uid).Cost("cpu", cost.ToString(CultureInfo.InvariantCulture)).Build();
                built.Metadata.Generation = cost;
                cluster.Upsert(cluster.Functions, CacheTransforms.Function(built));
                break;
            case 2:
                cluster.Functions.Remove(ObjectKeys(name));
                break;
            case 3 or 4 or 5:
                if (f is not null)
                {
                    cluster.Upsert(cluster.Pods, Pod(TestObjects.PodOf(f, attempt), state));
                }

                break;
            case 6:
                cluster.Pods.Remove(ObjectKeys(name + "-" + attempt.ToString(CultureInfo.InvariantCulture)));
                break;
            case 7:
                // Everyone else's pod on the Node-backed node, or a plain pod waiting for Handoff, or one gone.
                var other = "other-" + attempt.ToString(CultureInfo.InvariantCulture);
                if (state >= 6)
                {
                    cluster.Pods.Remove(ObjectKeys(other));
                    break;
                }

                var pod = TestObjects.PodOf(TestObjects.Function("x").Uid("uid-x").Build()).Named(other).Orphan().WithoutLabel(HandoffApi.FunctionLabel).Build();
                pod.Metadata.Annotations?.Clear();
                pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(state.ToString(CultureInfo.InvariantCulture)) } };
                if (state % 2 == 0)
                {
                    pod.Spec.SchedulerName = "default-scheduler";
                    pod.Spec.NodeName = "worker-b";
                    pod.Status.Phase = "Running";
                }

                cluster.Upsert(cluster.Pods, CacheTransforms.Pod(pod));
                break;
            case 8:
                // A scheduling cycle's allocation whose pod never came.
                cluster.Term.Tracker.TryAllocate("a", Core.Resources.ResourceList.Of(("cpu", "1")), Namespace + "/new-" + clock.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                Pass(cluster);
                break;
        }
    }

    private static PodRecord Pod(FunctionPodBuilder pod, int state)
    {
        pod = state switch
        {
            0 => pod.Cost("cpu", "1").OnHandoffNode("a"),
            1 => pod.Cost("cpu", "1").PlacedOn("a").Running(),
            2 => pod.Cost("cpu", "2").OnHandoffNode("b").BoundTo("worker-b").Running(),
            3 => pod.Cost("cpu", "1").PlacedOn("a").Succeeded("42"),
            4 => pod.Cost("cpu", "1").PlacedOn("a").Failed(),
            5 => pod.Cost("cpu", "1").PlacedOn("a").Running().Terminating(),
            6 => pod.PlacedOn("a").Running(),
            _ => pod.Cost("cpu", "1").OnHandoffNode("gone"),
        };

        return CacheTransforms.Pod(pod.Build());
    }

    private static string ObjectKeys(string name) => Namespace + "/" + name;

    // One pass's steps 2–4 in the cluster's term, and in a fresh one over the same snapshot: the same views.
    private static void Pass(CachedCluster cluster)
    {
        var snapshot = cluster.Snapshot();
        var (kept, keptHoldings, keptViews) = Steps(snapshot, cluster.Term);
        var fresh = new TermState(AllocationStrategy.FirstAvailable);
        var (all, allHoldings, allViews) = Steps(snapshot, fresh);

        Assert.Equal(all.Live, kept.Live);
        Assert.Equal(all.Stranded, kept.Stranded);
        Assert.Equal(all.Pending.Select(p => p.Key), kept.Pending.Select(p => p.Key));
        Assert.Equal(all.External.OrderBy(e => e.Key, StringComparer.Ordinal), kept.External.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(all.ByFunctionUid.Keys.Order(StringComparer.Ordinal), kept.ByFunctionUid.Keys.Order(StringComparer.Ordinal));
        foreach (var (uid, pods) in all.ByFunctionUid)
        {
            Assert.Equal(pods, kept.Of(uid));
        }

        foreach (var pod in snapshot.Pods)
        {
            Assert.True(kept.NameTaken(pod.Key));
        }

        Assert.False(kept.NameTaken(Namespace + "/never"));
        Assert.Equal(allHoldings.ToBind.Select(b => (b.Pod.Key, b.HandoffNode)), keptHoldings.ToBind.Select(b => (b.Pod.Key, b.HandoffNode)));
        Assert.Equal(allHoldings.ToDelete.Select(p => p.Key), keptHoldings.ToDelete.Select(p => p.Key));
        Assert.Equal(Held(fresh.Tracker), Held(cluster.Term.Tracker));
        Assert.Equal(allViews.Select(View), keptViews.Select(View));
    }

    private static (PodView Pods, HoldingsSync Holdings, IReadOnlyList<FunctionView> Views) Steps(ClusterSnapshot snapshot, TermState term)
    {
        var (_, pods, holdings) = TermSteps.Run(snapshot, term);
        return (pods, holdings, FunctionLifecycleStep.Build(snapshot, pods, term, Retry));
    }

    private static (string Key, AttemptState State, string Pods) View(FunctionView f) =>
        (f.Key, f.State, string.Join(',', f.Pods.Select(p => p.Key + ":" + p.Attempt)));

    private static List<TrackedAllocation> Held(IResourceTracker tracker) => [.. tracker.Allocations().OrderBy(a => a.Holder, StringComparer.Ordinal)];
}
