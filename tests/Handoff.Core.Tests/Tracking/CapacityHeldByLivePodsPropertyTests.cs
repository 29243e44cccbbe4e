using System.Globalization;
using CsCheck;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;

namespace Handoff.Core.Tests.Tracking;

/// <summary>
/// "Capacity is held by live pods", checked on a small simulated cluster driven by random sequences of what users and
/// the cluster do — functions created, pods terminating, gone or finished, costs edited, functions deleted (their pods
/// orphaned or terminating), statuses overwritten by hand, capacity cut, the operator crashing (its tracker lost, pods
/// left created but unbound) — with the operator's pass in between, made of Core's own steps (<see cref="TrackerSync"/>,
/// <see cref="FunctionLifecycle"/>, <see cref="SchedulingCycle"/>). After every pass the tracker holds, per node,
/// exactly the sum over the live pods placed there; at every binding, the live pods of the node fit in its capacity.
/// </summary>
public sealed class CapacityHeldByLivePodsPropertyTests
{
    private enum PodState
    {
        Unbound,
        Bound,
        Terminating,
        Finished,
    }

    private sealed class Pod
    {
        public required string Key;
        public required string FunctionUid;
        public required string Node;
        public required long CostMilli;
        public required int Attempt;
        public required int Created;
        public PodState State;
        public bool Failed;

        public bool Live => State != PodState.Finished;
    }

    private sealed class Function
    {
        public required string Name;
        public required string Uid;
        public long CostMilli;
        public StatusRecord Record = StatusRecord.Empty;
    }

    private sealed class Cluster
    {
        public readonly Dictionary<string, long> Capacity = new(StringComparer.Ordinal) { ["n1"] = 4000, ["n2"] = 2000 };
        public readonly Dictionary<string, Function> Functions = new(StringComparer.Ordinal);
        public readonly List<Pod> Pods = [];
        public IResourceTracker Tracker = new IndexedResourceTracker();
        public int Clock;
        public int Uids;
        public bool StopBeforeBinding;
    }

    // Operation kind, then three small numbers that pick its targets and amounts. Crashes between create and bind (10)
    // and capacity cuts (8) come more often: together they are the narrowest way to over-commit.
    private static readonly int[] Kinds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 8, 10, 10, 2, 3];

    private static readonly Gen<(int Kind, int A, int B, int C)[]> GenOps =
        Gen.Select(Gen.Int[0, Kinds.Length - 1].Select(i => Kinds[i]), Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 3]).Array[5, 60];

    [Fact]
    public void Nodes_hold_exactly_what_their_live_pods_hold_and_never_bind_beyond_capacity() =>
        GenOps.Sample(ops =>
        {
            var cluster = new Cluster();
            foreach (var (kind, a, b, c) in ops)
            {
                cluster.Clock++;
                Apply(cluster, kind, a, b, c);
                Pass(cluster, bindNow: !cluster.StopBeforeBinding || kind == 10);
                if (kind != 10)
                {
                    cluster.StopBeforeBinding = false;
                }

                AssertHeldEqualsLivePods(cluster);
            }
        }, iter: 1500);

    private static void Apply(Cluster cluster, int kind, int a, int b, int c)
    {
        var live = cluster.Pods.Where(p => p.Live).ToList();
        var functions = cluster.Functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        switch (kind)
        {
            case 0 or 1:
                // A function (re)created under one of a few names: a new UID, so the old one's pods are not its own.
                var name = "f" + (a % 5).ToString(CultureInfo.InvariantCulture);
                cluster.Functions[name] = new Function { Name = name, Uid = "uid-" + cluster.Uids++, CostMilli = 1000 * (1 + (b % 3)) };
                break;
            case 2 when live.Count > 0:
                live[a % live.Count].State = live[a % live.Count].State == PodState.Unbound ? PodState.Unbound : PodState.Terminating;
                break;
            case 3 when live.Count > 0:
                cluster.Pods.Remove(live[a % live.Count]);
                break;
            case 4 when live.Count > 0 && live[a % live.Count].State != PodState.Unbound:
                (live[a % live.Count].State, live[a % live.Count].Failed) = (PodState.Finished, b % 2 == 0);
                break;
            case 5 when functions.Count > 0:
                functions[a % functions.Count].CostMilli = 1000 * (1 + (b % 4));
                break;
            case 6 when functions.Count > 0:
                cluster.Functions.Remove(functions[a % functions.Count].Name);
                break;
            case 7 when functions.Count > 0:
                functions[a % functions.Count].Record = functions[a % functions.Count].Record with { Phase = FunctionPhase.Succeeded };
                break;
            case 8:
                cluster.Capacity[b % 2 == 0 ? "n1" : "n2"] = 1000 * c;
                break;
            case 9:
                // The operator restarts with an empty tracker.
                cluster.Tracker = new IndexedResourceTracker();
                break;
            case 10:
                // The operator's next pass stops between creating pods and binding them (and it restarts).
                cluster.StopBeforeBinding = true;
                cluster.Tracker = new IndexedResourceTracker();
                break;
        }
    }

    private static void Pass(Cluster cluster, bool bindNow)
    {
        var nodes = new NodeSet(cluster.Capacity.Select(kv => new NodeInfo(kv.Key, Cpu(kv.Value))));
        foreach (var node in nodes)
        {
            cluster.Tracker.SetNode(node.Name, node.Capacity);
        }

        // What live pods hold; pods created but not bound are bound if their capacity can be taken again, else deleted.
        var sync = TrackerSync.Apply(cluster.Tracker, [.. cluster.Pods.Where(p => p.Live).Select(p =>
            new LivePlacement(p.Key, p.Node, Cpu(p.CostMilli), p.State != PodState.Unbound, DateTimeOffset.UnixEpoch.AddSeconds(p.Created)))]);
        foreach (var placement in sync.ToDelete)
        {
            cluster.Pods.RemoveAll(p => p.Key == placement.Holder);
        }

        foreach (var placement in sync.ToBind)
        {
            Bind(cluster, cluster.Pods.Single(p => p.Key == placement.Holder));
        }

        // Each function's attempts from its own pods (by UID) and its (possibly hand-written) record.
        var now = DateTimeOffset.UnixEpoch.AddSeconds(cluster.Clock);
        var pending = new List<(Workload Workload, Function Function, int Attempt)>();
        foreach (var f in cluster.Functions.Values)
        {
            var own = cluster.Pods.Where(p => p.FunctionUid == f.Uid).Select(p => new AttemptPod(p.Key, p.Attempt)
            {
                Node = p.Node,
                Bound = p.State != PodState.Unbound,
                Terminating = p.State == PodState.Terminating,
                Phase = p.State == PodState.Finished ? (p.Failed ? PodPhase.Failed : PodPhase.Succeeded) : PodPhase.Running,
                Created = DateTimeOffset.UnixEpoch.AddSeconds(p.Created),
            }).ToList();
            var state = FunctionLifecycle.Derive(f.Record, own, new RetryPolicy(2) { InitialBackoff = TimeSpan.Zero }, now);
            f.Record = state switch
            {
                Active a => new StatusRecord { Phase = FunctionPhase.Running, Attempts = a.Attempts, PodName = a.Pod.Name, Node = a.Pod.Node },
                Succeeded s => new StatusRecord { Phase = FunctionPhase.Succeeded, Attempts = s.Attempts, PodName = s.PodName },
                Failed x => new StatusRecord { Phase = FunctionPhase.Failed, Attempts = x.Attempts, PodName = x.PodName, Reason = x.Reason },
                _ => f.Record,
            };
            if (state is NotStarted next)
            {
                var key = $"{f.Name}-{f.Uid}-{next.Attempt}-{cluster.Clock}";
                pending.Add((new Workload(new PlacementRequest(f.Name, Cpu(f.CostMilli)), AllocationStrategy.FirstAvailable, new QueueOrderKey(now, now, f.Name)) { Holder = key }, f, next.Attempt));
            }
        }

        var result = SchedulingCycle.Run(new CycleInput(nodes, cluster.Tracker, [.. pending.Select(p => p.Workload)]));
        foreach (var placed in result.Placed)
        {
            var (_, f, attempt) = pending.Single(p => p.Workload.Id == placed.Workload.Id);
            var pod = new Pod
            {
                Key = placed.Workload.Holder,
                FunctionUid = f.Uid,
                Node = placed.Node,
                CostMilli = placed.Held["cpu"],
                Attempt = attempt,
                Created = cluster.Clock,
            };
            cluster.Pods.Add(pod);
            if (bindNow)
            {
                Bind(cluster, pod);
            }
        }
    }

    private static void Bind(Cluster cluster, Pod pod)
    {
        var onNode = cluster.Pods.Where(p => p.Live && p.Node == pod.Node && (p.State != PodState.Unbound || p == pod)).Sum(p => p.CostMilli);
        Assert.True(onNode <= cluster.Capacity[pod.Node], $"binding {pod.Key} puts {onNode} on {pod.Node} of capacity {cluster.Capacity[pod.Node]}");
        pod.State = PodState.Bound;
    }

    private static void AssertHeldEqualsLivePods(Cluster cluster)
    {
        foreach (var node in cluster.Capacity.Keys)
        {
            var held = cluster.Tracker.GetNode(node)!.Allocated["cpu"];
            var live = cluster.Pods.Where(p => p.Live && p.Node == node).Sum(p => p.CostMilli);
            Assert.Equal(live, held);
        }
    }

    private static ResourceList Cpu(long milli) => ResourceList.FromMilli([KeyValuePair.Create("cpu", milli)]);
}
