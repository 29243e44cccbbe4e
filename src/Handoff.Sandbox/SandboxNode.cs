using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox;

/// <summary>A simulated node: its name, labels, allocatable resources (incl. <c>nvidia.com/gpu</c> and custom ones), readiness.</summary>
public sealed record SandboxNode(string Name)
{
    private static readonly Dictionary<string, string> DefaultAllocatable = new(StringComparer.Ordinal)
    {
        ["cpu"] = "8",
        ["memory"] = "16Gi",
        ["pods"] = "110",
        ["ephemeral-storage"] = "100Gi",
    };

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Allocatable resources as Kubernetes quantities; missing cpu/memory/pods get defaults (8, 16Gi, 110).</summary>
    public IReadOnlyDictionary<string, string> Allocatable { get; init; } = new Dictionary<string, string>();

    public bool Ready { get; init; } = true;

    public bool Unschedulable { get; init; }

    /// <summary>Taints the node registers with (as the kubelet's <c>--register-with-taints</c>).</summary>
    public IReadOnlyList<SandboxTaint> Taints { get; init; } = [];

    /// <summary>The default cluster: <c>node-1</c>, <c>node-2</c> (8 CPU, 16Gi) and <c>gpu-1</c> (8 CPU, 32Gi, 2 <c>nvidia.com/gpu</c>).</summary>
    public static IReadOnlyList<SandboxNode> Defaults { get; } =
    [
        new("node-1") { Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "a" } },
        new("node-2") { Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "b" } },
        new("gpu-1")
        {
            Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "a", ["nvidia.com/gpu.present"] = "true" },
            Allocatable = new Dictionary<string, string> { ["memory"] = "32Gi", ["nvidia.com/gpu"] = "2" },
        },
    ];

    /// <summary>
    /// Reads nodes from YAML: either a list or <c>nodes:</c> holding a list of
    /// <c>{name, labels, allocatable, ready, unschedulable, taints: [{key, value, effect}]}</c>, or Kubernetes Node
    /// manifests (<c>kind: Node</c> documents, or a <c>kind: List</c> of them as <c>kubectl get nodes -o yaml</c> prints
    /// them: labels, <c>spec.unschedulable</c>, <c>spec.taints</c>, <c>status.allocatable</c> (else
    /// <c>status.capacity</c>) and the Ready condition are used) — the same file <c>handoff plan -f</c> reads. Throws
    /// <see cref="FormatException"/> with the reason.
    /// </summary>
    public static IReadOnlyList<SandboxNode> ParseYaml(string yaml)
    {
        var docs = ParseDocuments(yaml);
        if (docs.Any(d => JsonNodes.GetString(d, "kind") is not null))
        {
            return Distinct(FromManifests(docs));
        }

        JsonArray? list = docs switch
        {
            [JsonObject o] when o["nodes"] is JsonArray a => a,
            _ => null,
        };
        if (list is null)
        {
            throw new FormatException("expected a mapping with a 'nodes:' list, e.g. nodes: [{name: node-1, allocatable: {cpu: \"8\"}}]");
        }

        var result = new List<SandboxNode>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject n)
            {
                throw new FormatException($"nodes[{i}]: expected a mapping");
            }

            var name = JsonNodes.GetString(n, "name");
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new FormatException($"nodes[{i}].name: required");
            }

            foreach (var key in n.Select(kv => kv.Key))
            {
                if (key is not ("name" or "labels" or "allocatable" or "capacity" or "ready" or "unschedulable" or "taints"))
                {
                    throw new FormatException($"nodes[{i}]: unknown field \"{key}\" (known: name, labels, allocatable, ready, unschedulable, taints)");
                }
            }

            result.Add(new SandboxNode(name)
            {
                Labels = Map(n["labels"], $"nodes[{i}].labels"),
                Allocatable = Map(n["allocatable"] ?? n["capacity"], $"nodes[{i}].allocatable"),
                Ready = Bool(n["ready"], true, $"nodes[{i}].ready"),
                Unschedulable = Bool(n["unschedulable"], false, $"nodes[{i}].unschedulable"),
                Taints = TaintList(n["taints"], $"nodes[{i}].taints"),
            });
        }

        return Distinct(result);
    }

    private static List<SandboxNode> Distinct(List<SandboxNode> nodes)
    {
        var duplicate = nodes.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"node \"{duplicate.Key}\" is defined twice");
        }

        return nodes;
    }

    /// <summary>
    /// A simulated node from a Kubernetes Node manifest: its labels, <c>spec.unschedulable</c>, <c>spec.taints</c>,
    /// <c>status.allocatable</c> (else <c>status.capacity</c>; missing entries get the defaults) and Ready condition
    /// (Ready when it has none). Throws <see cref="FormatException"/> naming the field.
    /// </summary>
    public static SandboxNode FromManifest(JsonObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var name = JsonNodes.GetString(item["metadata"] as JsonObject, "name");
        if (JsonNodes.GetString(item, "kind") is { } kind && kind != "Node")
        {
            throw new FormatException($"{kind} {name}: expected a Node");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new FormatException("Node: metadata.name: required");
        }

        var field = $"Node {name}";
        var status = item["status"] as JsonObject;
        var ready = (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == "Ready");
        return new SandboxNode(name)
        {
            Labels = Map(item["metadata"]?["labels"], field + ": metadata.labels"),
            Allocatable = Map(status?["allocatable"] ?? status?["capacity"], field + ": status.allocatable"),
            Ready = ready is null || JsonNodes.GetString(ready, "status") == "True",
            Unschedulable = Bool(item["spec"]?["unschedulable"], false, field + ": spec.unschedulable"),
            Taints = TaintList(item["spec"]?["taints"], field + ": spec.taints"),
        };
    }

    private static List<SandboxNode> FromManifests(IReadOnlyList<JsonObject> docs)
    {
        var nodes = new List<SandboxNode>();
        foreach (var doc in docs)
        {
            var items = JsonNodes.GetString(doc, "kind") is "List" or "NodeList"
                ? (doc["items"] as JsonArray)?.OfType<JsonObject>().ToList() ?? []
                : [doc];
            foreach (var item in items)
            {
                nodes.Add(FromManifest(item));
            }
        }

        return nodes;
    }

    private static IReadOnlyList<JsonObject> ParseDocuments(string yaml)
    {
        var trimmed = yaml.TrimStart();
        if (trimmed.StartsWith('-'))
        {
            yaml = "nodes:\n" + yaml;
        }

        return Manifests.ParseYaml(yaml);
    }

    /// <summary>Reads a nodes file; errors name the file.</summary>
    public static IReadOnlyList<SandboxNode> LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cannot read nodes file {path}: {e.Message}", e);
        }

        try
        {
            return ParseYaml(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"invalid nodes file {path}: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> Map(JsonNode? node, string field) => node switch
    {
        null => [],
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue ? JsonNodes.ScalarText(kv.Value) : throw new FormatException($"{field}.{kv.Key}: expected a scalar")),
        _ => throw new FormatException($"{field}: expected a mapping"),
    };

    private static List<SandboxTaint> TaintList(JsonNode? node, string field)
    {
        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray list)
        {
            throw new FormatException($"{field}: expected a list of {{key, value, effect}}");
        }

        var taints = new List<SandboxTaint>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject t)
            {
                throw new FormatException($"{field}[{i}]: expected a mapping {{key, value, effect}}");
            }

            foreach (var key in t.Select(kv => kv.Key))
            {
                if (key is not ("key" or "value" or "effect" or "timeAdded"))
                {
                    throw new FormatException($"{field}[{i}]: unknown field \"{key}\" (known: key, value, effect)");
                }
            }

            var taintKey = JsonNodes.GetString(t, "key");
            if (string.IsNullOrEmpty(taintKey))
            {
                throw new FormatException($"{field}[{i}].key: required");
            }

            var effect = JsonNodes.GetString(t, "effect");
            if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            {
                throw new FormatException($"{field}[{i}].effect: must be NoSchedule, PreferNoSchedule or NoExecute, got \"{effect}\"");
            }

            taints.Add(new SandboxTaint(taintKey, t["value"] is null ? null : JsonNodes.ScalarText(t["value"]), effect));
        }

        return taints;
    }

    private static bool Bool(JsonNode? node, bool fallback, string field) => node switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw new FormatException($"{field}: expected true or false"),
    };

    internal IReadOnlyDictionary<string, string> EffectiveAllocatable()
    {
        var result = new Dictionary<string, string>(DefaultAllocatable, StringComparer.Ordinal);
        foreach (var (k, v) in Allocatable)
        {
            result[k] = v;
        }

        return result;
    }
}
