using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Handoff.Api.V1Alpha1;
using Handoff.Benchmarks.EndToEnd;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using Handoff.Operator;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.Reconciliation;
using k8s.Models;

namespace Handoff.Benchmarks.Operator;

/// <summary>
/// The pure part of one operator pass (snapshot of the caches, then steps 2–6, <see cref="PassDecisions.Decide"/>) as
/// the steady stream sees it: <see cref="Functions"/> functions already bound on 5,000 nodes (the end-to-end cluster's
/// HandoffNodes and Nodes), each with its pod, nothing left to place. What every pass pays before its first write,
/// however few functions are new — the floor of the stream's create→bound latency. The term (tracker, memos) lives
/// across operations, as it does across a leader's passes.
/// </summary>
[Config(typeof(FastConfig))]
public class ReconcilePassBenchmarks
{
    private const int NodeCount = 5_000;

    private readonly ResourceCache<HandoffNode> _handoffNodes = new();
    private readonly ResourceCache<V1Node> _nodes = new();
    private readonly ResourceCache<HandoffFunction> _functions = new();
    private readonly ResourceCache<PodRecord> _pods = new();
    private readonly TermState _term = new(AllocationStrategy.FirstAvailable);
    private readonly RetryPolicy _retry = new(HandoffApi.DefaultMaxRetries);
    private readonly FinishedWorkDefaults _finished = FinishedWorkDefaults.Of(new OperatorOptions());
    private readonly DateTimeOffset _now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private const int Rewritten = 20;
    private const int NodeReports = 2;
    private int _rewrites;
    private int _reports;

    [Params(5_000, 15_000)]
    public int Functions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (var n = 0; n < NodeCount; n++)
        {
            var name = NodeName(n);
            _handoffNodes.Upsert(Decode<HandoffNode>(
                "{\"apiVersion\":\"handoff.dev/v1alpha1\",\"kind\":\"HandoffNode\",\"metadata\":{\"name\":\"" + name + "\",\"uid\":\"" + Guid.NewGuid() +
                "\",\"resourceVersion\":\"" + Version(n) + "\",\"generation\":1},\"spec\":{\"capacity\":{\"cpu\":\"16\",\"memory\":\"64000\"}}}"));
            _nodes.Upsert(new V1Node
            {
                Metadata = new V1ObjectMeta { Name = name, Uid = Guid.NewGuid().ToString(), ResourceVersion = Version(n) },
                Status = new V1NodeStatus
                {
                    Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("16"), ["memory"] = new("64Gi"), ["pods"] = new("110") },
                    Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
                },
            });
        }

        for (var i = 0; i < Functions; i++)
        {
            var name = FunctionManifest.Name(i);
            var node = NodeName(i % NodeCount);
            var function = Decode<HandoffFunction>(FunctionManifest.Json(name, "bench"));
            function.Metadata.Uid = Guid.NewGuid().ToString();
            function.Metadata.ResourceVersion = Version(NodeCount + (2 * i));
            function.Metadata.Generation = 1;
            function.Metadata.CreationTimestamp = _now.UtcDateTime.AddSeconds(-30 + (i / 500.0));
            function = CacheTransforms.Function(function);
            var pod = FunctionPods.Build(function, _term.MapFunction(function), name + "-1", 1, node, HandoffApi.DefaultSchedulerName, []);
            pod.Metadata.Uid = Guid.NewGuid().ToString();
            pod.Metadata.ResourceVersion = Version(NodeCount + (2 * i) + 1);
            pod.Spec.NodeName = node;
            pod.Status = new V1PodStatus { Phase = "Pending" };
            function.Status = new HandoffFunctionStatus
            {
                Phase = "Scheduled",
                Node = node,
                PodName = name + "-1",
                Attempts = 1,
                ObservedGeneration = 1,
                StartTime = _now.UtcDateTime.AddSeconds(-30 + (i / 500.0)),
            };
            _functions.Upsert(function);
            _pods.Upsert(CacheTransforms.Pod(pod));
        }

        // The first pass of a term fills the tracker and the memos; the measured ones find them filled. It must see what
        // the stream's passes see: every function bound, nothing to place, nothing to bind or delete.
        var first = PassDecisions.Decide(
            ClusterSnapshot.Take(_now, _handoffNodes, _nodes, _functions, _pods), _term, HandoffApi.DefaultSchedulerName, _retry, _finished, CancellationToken.None);
        var bound = first.Views.Count(v => v.State is Active { Pod.Bound: true });
        if (bound != Functions || first.Scheduling.Cycle.Placed.Count + first.Scheduling.Cycle.Unplaced.Count + first.Holdings.ToBind.Count + first.Holdings.ToDelete.Count > 0)
        {
            throw new InvalidOperationException($"the benchmark's cluster is not what it means to be: {bound} of {Functions} functions bound");
        }
    }

    [Benchmark]
    public int Pass()
    {
        var snapshot = ClusterSnapshot.Take(_now, _handoffNodes, _nodes, _functions, _pods);
        var decisions = PassDecisions.Decide(snapshot, _term, HandoffApi.DefaultSchedulerName, _retry, _finished, CancellationToken.None);
        return decisions.Views.Count + decisions.Scheduling.Cycle.Placed.Count;
    }

    /// <summary>
    /// The same pass after what a stream's pass finds changed besides its new work: 20 HandoffNodes and 20 functions come
    /// back from their status writes as new objects (same spec and generation, a new resourceVersion), as the watches
    /// deliver them. The 40 cache updates (~20 µs) are measured with the pass.
    /// </summary>
    [Benchmark]
    public int PassAfterWrites()
    {
        for (var k = 0; k < Rewritten; k++)
        {
            var node = _handoffNodes.Get(NodeName(_rewrites % NodeCount))!;
            _handoffNodes.Upsert(new HandoffNode { ApiVersion = node.ApiVersion, Kind = node.Kind, Metadata = NextVersion(node.Metadata), Spec = node.Spec, Status = node.Status });
            var function = _functions.Get("bench", FunctionManifest.Name(_rewrites % Functions))!;
            _functions.Upsert(new HandoffFunction { ApiVersion = function.ApiVersion, Kind = function.Kind, Metadata = NextVersion(function.Metadata), Spec = function.Spec, Status = function.Status });
            _rewrites++;
        }

        return Pass();
    }

    /// <summary>
    /// <see cref="PassAfterWrites"/> with 2 Nodes posting their status again first (new objects, the same facts, a new
    /// heartbeat): what a stream's pass also finds on a cluster of 5,000 nodes whose kubelets report every 5 minutes
    /// (~17 Nodes a second, 10–20 passes a second).
    /// </summary>
    [Benchmark]
    public int PassAfterWritesAndNodeReports()
    {
        for (var k = 0; k < NodeReports; k++)
        {
            var node = _nodes.Get(NodeName(_reports % NodeCount))!;
            var heartbeat = _now.UtcDateTime.AddSeconds(_reports);
            _nodes.Upsert(new V1Node
            {
                Metadata = NextVersion(node.Metadata),
                Spec = node.Spec,
                Status = new V1NodeStatus
                {
                    Allocatable = node.Status.Allocatable,
                    Conditions = [.. node.Status.Conditions.Select(c => new V1NodeCondition { Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastHeartbeatTime = heartbeat })],
                },
            });
            _reports++;
        }

        return PassAfterWrites();
    }

    private V1ObjectMeta NextVersion(V1ObjectMeta meta) => new()
    {
        Name = meta.Name,
        NamespaceProperty = meta.NamespaceProperty,
        Uid = meta.Uid,
        Generation = meta.Generation,
        CreationTimestamp = meta.CreationTimestamp,
        Labels = meta.Labels is null ? null : new Dictionary<string, string>(meta.Labels),
        Annotations = meta.Annotations is null ? null : new Dictionary<string, string>(meta.Annotations),
        OwnerReferences = meta.OwnerReferences,
        Finalizers = meta.Finalizers,
        DeletionTimestamp = meta.DeletionTimestamp,
        ResourceVersion = (1_000_000 + _rewrites).ToString(CultureInfo.InvariantCulture),
    };

    private static string NodeName(int n) => "node-" + n.ToString("D5", CultureInfo.InvariantCulture);

    private static string Version(int n) => (1000 + n).ToString(CultureInfo.InvariantCulture);

    private static T Decode<T>(string json) => JsonSerializer.Deserialize<T>(json, KubernetesJsonOptions.Value)!;
}
