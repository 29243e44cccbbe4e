using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Benchmarks.Operator;

/// <summary>
/// What the operator does with one function pod's watch event, the event a stream of functions brings most (each pod
/// comes created, bound, running and finished): the line's object decoded for the cache
/// (<see cref="CacheTransforms.PodJson"/>), made a record (<see cref="CacheTransforms.Pod"/>) and stored. The pod is a
/// running function pod as an API server serves it: its template's command and environment (its inputs), the fields
/// admission defaults, the kubelet's status and the managed fields of its three writers (on a real cluster; the sandbox
/// writes none). More warm-up than the other short runs, as for <see cref="NodeReportBenchmarks"/>.
/// </summary>
[Config(typeof(FastConfig))]
[WarmupCount(15)]
public class PodEventBenchmarks
{
    private readonly byte[][] _lines = new byte[2][];
    private ResourceCache<PodRecord> _cache = null!;
    private int _event;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _lines.Length; i++)
        {
            _lines[i] = Encoding.UTF8.GetBytes(RunningPodLine(resourceVersion: 5000 + i));
        }

        _cache = new ResourceCache<PodRecord>(static p => p);
    }

    /// <summary>Decoded as KubernetesClient's options decode it: the whole pod, then made a record.</summary>
    [Benchmark(Baseline = true)]
    public string WholePodDecoded() => Apply(KubernetesJsonOptions.Value);

    /// <summary>Decoded for the cache: only the fields the record is made of.</summary>
    [Benchmark]
    public string KeptFieldsDecoded() => Apply(CacheTransforms.PodJson);

    private string Apply(JsonSerializerOptions json)
    {
        var line = _lines[_event++ & 1];
        var (_, obj) = WatchEventLine.Read(line);
        var record = CacheTransforms.Pod(JsonSerializer.Deserialize<V1Pod>(line.AsSpan()[obj], json)!);
        _cache.Upsert(record);
        return record.Key;
    }

    private static string RunningPodLine(int resourceVersion) => """
        {"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"handoff.dev/cost":"{\"cpu\":\"1\",\"memory\":\"512Mi\"}","handoff.dev/node":"node-04211"},"creationTimestamp":"2026-12-01T07:30:01Z","labels":{"handoff.dev/attempt":"1","handoff.dev/function":"etl-step-08817"},"managedFields":[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:handoff.dev/cost":{},"f:handoff.dev/node":{}},"f:labels":{".":{},"f:handoff.dev/attempt":{},"f:handoff.dev/function":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"5d2c1f0e-8a7b-4c6d-9e0f-1a2b3c4d5e6f\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"main\"}":{".":{},"f:args":{},"f:command":{},"f:env":{".":{},"k:{\"name\":\"HANDOFF_ARGS\"}":{".":{},"f:name":{},"f:value":{}},"k:{\"name\":\"HANDOFF_FUNCTION\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{".":{},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}}}},"f:restartPolicy":{},"f:schedulerName":{}}},"manager":"handoff-operator","operation":"Update","time":"2026-12-01T07:30:01Z"},{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{"k:{\"type\":\"ContainersReady\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},"k:{\"type\":\"Initialized\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},"k:{\"type\":\"Ready\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}},"f:containerStatuses":{},"f:hostIP":{},"f:hostIPs":{},"f:phase":{},"f:podIP":{},"f:podIPs":{".":{},"k:{\"ip\":\"10.244.17.23\"}":{".":{},"f:ip":{}}},"f:startTime":{}}},"manager":"kubelet","operation":"Update","subresource":"status","time":"2026-12-01T07:30:02Z"}],"name":"etl-step-08817-1","namespace":"team-a","ownerReferences":[{"apiVersion":"handoff.dev/v1alpha1","blockOwnerDeletion":true,"controller":true,"kind":"HandoffFunction","name":"etl-step-08817","uid":"5d2c1f0e-8a7b-4c6d-9e0f-1a2b3c4d5e6f"}],"resourceVersion":"VERSION","uid":"c0ffee00-1234-4abc-8def-0123456789ab"},"spec":{"containers":[{"args":["--input","/dev/stdin"],"command":["python","-m","etl.step"],"env":[{"name":"HANDOFF_FUNCTION","value":"etl-step-08817"},{"name":"HANDOFF_ARGS","value":"[\"s3://bucket/part-00017.parquet\",\"s3://bucket/part-00018.parquet\"]"},{"name":"HANDOFF_ARG_0","value":"s3://bucket/part-00017.parquet"},{"name":"HANDOFF_ARG_1","value":"s3://bucket/part-00018.parquet"}],"image":"etl:2026.11","imagePullPolicy":"IfNotPresent","name":"main","resources":{"requests":{"cpu":"1","memory":"512Mi"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","volumeMounts":[{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-x7k2p","readOnly":true}]}],"dnsPolicy":"ClusterFirst","enableServiceLinks":true,"nodeName":"node-04211","preemptionPolicy":"PreemptLowerPriority","priority":0,"restartPolicy":"Never","schedulerName":"handoff","securityContext":{},"serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30,"tolerations":[{"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300},{"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":300}],"volumes":[{"name":"kube-api-access-x7k2p","projected":{"defaultMode":420,"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"items":[{"key":"ca.crt","path":"ca.crt"}],"name":"kube-root-ca.crt"}},{"downwardAPI":{"items":[{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"},"path":"namespace"}]}}]}}]},"status":{"conditions":[{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:30:02Z","status":"True","type":"PodReadyToStartContainers"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:30:01Z","status":"True","type":"Initialized"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:30:02Z","status":"True","type":"Ready"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:30:02Z","status":"True","type":"ContainersReady"},{"lastProbeTime":null,"lastTransitionTime":"2026-12-01T07:30:01Z","status":"True","type":"PodScheduled"}],"containerStatuses":[{"containerID":"containerd://9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0","image":"etl:2026.11","imageID":"etl@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","lastState":{},"name":"main","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2026-12-01T07:30:02Z"}}}],"hostIP":"10.0.16.211","hostIPs":[{"ip":"10.0.16.211"}],"phase":"Running","podIP":"10.244.17.23","podIPs":[{"ip":"10.244.17.23"}],"qosClass":"Burstable","startTime":"2026-12-01T07:30:01Z"}}}
        """.Replace("VERSION", resourceVersion.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
