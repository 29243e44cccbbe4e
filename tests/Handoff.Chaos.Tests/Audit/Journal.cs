using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Sandbox;

namespace Handoff.Chaos.Tests.Audit;

/// <summary>
/// A fluent builder of API-server journals for the auditor's tests: each call appends one accepted write (next
/// resourceVersion) as the sandbox would record it. Objects carry only the fields the auditor reads.
/// </summary>
internal sealed class Journal
{
    public const string Ns = "chaos-test";
    public const string Driver = "handoff-chaos/1.0";
    private readonly List<SandboxWrite> _writes = [];
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private long _rv = 100;

    public IReadOnlyList<SandboxWrite> Writes => _writes;

    public long LastVersion => _rv;

    public static string Operator(string identity) => $"handoff-operator/0.1.0 ({identity}) KubernetesClient/21.0.8";

    public Journal Lease(string? holder, string by)
    {
        var lease = new JsonObject { ["metadata"] = Meta("handoff-chaos", "default", "lease-uid"), ["spec"] = new JsonObject { ["holderIdentity"] = holder } };
        return Write(holder is null ? "DELETED" : "MODIFIED", "leases.coordination.k8s.io", lease, by, "update leases");
    }

    public Journal Node(string name, string cpu, long generation = 1, bool cordoned = false, long observed = 0, string? allocatedCpu = null, int functions = 0, string by = Driver)
    {
        var node = new JsonObject
        {
            ["metadata"] = Meta(name, null, "uid-" + name),
            ["spec"] = new JsonObject { ["nodeName"] = "k-" + name, ["capacity"] = new JsonObject { ["cpu"] = cpu }, ["unschedulable"] = cordoned },
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = observed,
                ["allocated"] = allocatedCpu is null ? new JsonObject() : new JsonObject { ["cpu"] = allocatedCpu },
                ["functions"] = functions,
            },
        };
        node["metadata"]!["generation"] = generation;
        return Write("MODIFIED", "handoffnodes.handoff.dev", node, by, "patch handoffnodes");
    }

    public Journal Function(string name, string uid, string? phase = null, string? result = null, string? reason = null, int attempts = 0, string by = Driver, string type = "MODIFIED")
    {
        var function = new JsonObject
        {
            ["metadata"] = Meta(name, Ns, uid),
            ["status"] = new JsonObject
            {
                ["phase"] = phase,
                ["result"] = result,
                ["attempts"] = attempts,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Completed", ["reason"] = reason ?? phase }),
            },
        };
        return Write(type, "handofffunctions.handoff.dev", function, by, "patch handofffunctions/status");
    }

    /// <summary>A function pod as the operator creates it (labels, owner, cost annotation, HANDOFF_ARGS).</summary>
    public Journal CreatePod(string name, string function, string ownerUid, string by, string? cpu = "1", string[]? args = null, string? node = null)
    {
        var annotations = new JsonObject();
        if (cpu is not null)
        {
            annotations["handoff.dev/cost"] = JsonSerializer.Serialize(new Dictionary<string, string> { ["cpu"] = cpu });
        }

        var meta = Meta(name, Ns, "pod-" + name);
        meta["labels"] = new JsonObject { ["handoff.dev/function"] = function };
        meta["annotations"] = annotations;
        meta["ownerReferences"] = new JsonArray(new JsonObject { ["uid"] = ownerUid, ["controller"] = true });
        var pod = new JsonObject
        {
            ["metadata"] = meta,
            ["spec"] = new JsonObject
            {
                ["nodeName"] = node,
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "main",
                    ["env"] = new JsonArray(new JsonObject { ["name"] = "HANDOFF_ARGS", ["value"] = JsonSerializer.Serialize(args ?? []) }),
                }),
            },
            ["status"] = new JsonObject { ["phase"] = "Pending" },
        };
        return Write("ADDED", "pods", pod, by, "create pods");
    }

    public Journal Bind(string pod, string node, string by) => Change(pod, p => p["spec"]!["nodeName"] = "k-" + node, by, "create pods/binding");

    public Journal PodPhase(string pod, string phase) => Change(pod, p => p["status"]!["phase"] = phase, "", null);

    public Journal Terminating(string pod, string by) => Change(pod, p => p["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z", by, "delete pods");

    public Journal DeletePod(string pod) => Write("DELETED", "pods", _objects["pods/" + pod], "", null);

    private Journal Change(string pod, Action<JsonObject> change, string by, string? request)
    {
        var copy = _objects["pods/" + pod].DeepClone().AsObject();
        change(copy);
        return Write("MODIFIED", "pods", copy, by, request);
    }

    private Journal Write(string type, string resource, JsonObject obj, string by, string? request)
    {
        var meta = obj["metadata"]!.AsObject();
        var name = meta["name"]!.GetValue<string>();
        _objects[resource.Split('.')[0] + "/" + name] = obj;
        _rv++;
        _writes.Add(new SandboxWrite(
            _rv, type, resource, meta["namespace"]?.GetValue<string>(), name, meta["uid"]!.GetValue<string>(), by, by.Length == 0 ? null : request,
            Encoding.UTF8.GetBytes(obj.ToJsonString())));
        return this;
    }

    private static JsonObject Meta(string name, string? ns, string uid) => new() { ["name"] = name, ["namespace"] = ns, ["uid"] = uid };
}
