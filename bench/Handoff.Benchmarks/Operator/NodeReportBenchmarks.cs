using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Handoff.Benchmarks.Infrastructure;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.Reconciliation;
using k8s.Models;

namespace Handoff.Benchmarks.Operator;

/// <summary>
/// What the operator does with one Node status report, the event an idle operator on a real cluster sees most (each
/// kubelet posts its Node every 5 minutes: ~17 a second at 5,000 Nodes): the watch line's object decoded for the cache
/// (<see cref="CacheTransforms.NodeJson"/>), trimmed (<see cref="CacheTransforms.Node"/>), and compared with the version
/// the cache holds (<see cref="NodeFacts.Same"/>), which it keeps when the facts are the same, as the operator's does. The reports alternate between two heartbeats of one Node, as the
/// sandbox's kubelet posts them (labels, capacity, four conditions, addresses, node info). More warm-up than the other
/// short runs: the first benchmark of a run otherwise measures the JSON decoder before it is fully compiled.
/// </summary>
[Config(typeof(FastConfig))]
[WarmupCount(15)]
public class NodeReportBenchmarks
{
    private readonly byte[][] _lines = new byte[2][];
    private ResourceCache<V1Node> _cache = null!;
    private int _report;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _lines.Length; i++)
        {
            _lines[i] = Encoding.UTF8.GetBytes(ModifiedLine(resourceVersion: 1000 + i, heartbeat: $"2026-12-01T04:{10 + i:D2}:00Z"));
        }

        _cache = new ResourceCache<V1Node>(CacheTransforms.Node, NodeFacts.Same);
        _cache.Upsert(Decode(_lines[0], CacheTransforms.NodeJson));
    }

    /// <summary>Decoded as KubernetesClient's options decode it: the whole Node, then trimmed.</summary>
    [Benchmark(Baseline = true)]
    public bool WholeNodeDecoded() => Apply(KubernetesJsonOptions.Value);

    /// <summary>Decoded for the cache: only the fields it keeps, quantities as the kept instances of their text.</summary>
    [Benchmark]
    public bool KeptFieldsDecoded() => Apply(CacheTransforms.NodeJson);

    private bool Apply(JsonSerializerOptions json)
    {
        // Each report carries a newer resourceVersion, as the API server's do; true when the cache took it.
        var node = Decode(_lines[_report++ & 1], json);
        node.Metadata.ResourceVersion = (2000 + _report).ToString(CultureInfo.InvariantCulture);
        return _cache.Upsert(node);
    }

    private static V1Node Decode(byte[] line, JsonSerializerOptions json)
    {
        var (_, obj) = WatchEventLine.Read(line);
        return JsonSerializer.Deserialize<V1Node>(line.AsSpan()[obj], json)!;
    }

    private static string ModifiedLine(int resourceVersion, string heartbeat)
    {
        static string Condition(string type, string status, string reason, string message) =>
            """{"type":"TYPE","status":"STATUS","lastHeartbeatTime":"HEARTBEAT","lastTransitionTime":"2026-12-01T03:00:00Z","reason":"REASON","message":"MESSAGE"}"""
                .Replace("TYPE", type, StringComparison.Ordinal).Replace("STATUS", status, StringComparison.Ordinal)
                .Replace("REASON", reason, StringComparison.Ordinal).Replace("MESSAGE", message, StringComparison.Ordinal);

        var resources = """{"cpu":"16","memory":"64Gi","pods":"110","ephemeral-storage":"100Gi"}""";
        var conditions = string.Join(',',
            Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"));
        return """
            {"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-00042","uid":"2b0e4a8e-6f53-4c55-9d0c-0f4f2f0b7a42","resourceVersion":"VERSION","creationTimestamp":"2026-12-01T03:00:00Z","labels":{"kubernetes.io/hostname":"node-00042","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","beta.kubernetes.io/os":"linux","beta.kubernetes.io/arch":"amd64","topology.kubernetes.io/zone":"zone-a"},"annotations":{"handoff.dev/simulated":"true","node.alpha.kubernetes.io/ttl":"0"}},"spec":{"podCIDR":"10.244.42.0/24"},"status":{"capacity":RESOURCES,"allocatable":RESOURCES,"conditions":[CONDITIONS],"addresses":[{"type":"InternalIP","address":"10.0.0.52"},{"type":"Hostname","address":"node-00042"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},"nodeInfo":{"machineID":"5f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f","systemUUID":"0e6c9a52-1d2b-4c3e-8f9a-0b1c2d3e4f50","bootID":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d","kernelVersion":"6.8.0-sandbox","osImage":"Handoff Sandbox (simulated node)","containerRuntimeVersion":"sandbox://1.0.0","kubeletVersion":"v1.32.0","kubeProxyVersion":"v1.32.0","operatingSystem":"linux","architecture":"amd64"}}}}
            """
            .Replace("VERSION", resourceVersion.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("RESOURCES", resources, StringComparison.Ordinal)
            .Replace("CONDITIONS", conditions, StringComparison.Ordinal)
            .Replace("HEARTBEAT", heartbeat, StringComparison.Ordinal);
    }
}
