using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Pods;

namespace Handoff.Sandbox.Kubelet;

/// <summary>
/// The device plugins of the simulated nodes: each extended resource a node lists in <c>allocatable</c>
/// (<c>nvidia.com/gpu: 2</c>) is that many devices, <c>GPU-gpu-1-0</c>, <c>GPU-gpu-1-1</c> (the resource's name after
/// its domain, upper-cased, then the node and an index). A container gets devices only for the extended resources its
/// <c>resources.limits</c> ask for, as the device manager allocates them; they are the pod's until it ends.
/// </summary>
internal sealed class DeviceManager
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, string>> _owners = new(StringComparer.Ordinal);

    /// <summary>
    /// Allocates the devices of the pod <paramref name="podUid"/> on <paramref name="node"/>; returns them per resource,
    /// <c>nvidia.com/gpu=GPU-gpu-1-0,GPU-gpu-1-1</c>, resources joined by <c>;</c> (null when the pod asks for none).
    /// </summary>
    public string? Allocate(string node, string podUid, JsonNode? podSpec, JsonObject nodeObject)
    {
        var allocatable = ResourceAmounts.From(nodeObject["status"]?["allocatable"]);
        var wanted = new ResourceAmounts();
        foreach (var c in PodRequests.Containers(podSpec, "initContainers").Concat(PodRequests.Containers(podSpec, "containers")))
        {
            foreach (var (name, amount) in PodRequests.Limits(c))
            {
                if (ResourceAmounts.IsExtended(name) && allocatable.ContainsKey(name))
                {
                    wanted[name] = wanted.Get(name) + amount;
                }
            }
        }

        if (wanted.Count == 0)
        {
            return null;
        }

        var parts = new List<string>();
        lock (_lock)
        {
            foreach (var (resource, amount) in wanted.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var owners = _owners.TryGetValue(Key(node, resource), out var o) ? o : _owners[Key(node, resource)] = new(StringComparer.Ordinal);
                var ids = new List<string>();
                for (var i = 0; i < (int)allocatable.Get(resource) && ids.Count < amount; i++)
                {
                    var id = DeviceId(resource, node, i);
                    if (!owners.ContainsKey(id))
                    {
                        owners[id] = podUid;
                        ids.Add(id);
                    }
                }

                parts.Add(resource + "=" + string.Join(",", ids));
            }
        }

        return string.Join(";", parts);
    }

    /// <summary>Frees the pod's devices (it ended or was deleted).</summary>
    public void Release(string podUid)
    {
        lock (_lock)
        {
            foreach (var owners in _owners.Values)
            {
                foreach (var id in owners.Where(kv => kv.Value == podUid).Select(kv => kv.Key).ToList())
                {
                    owners.Remove(id);
                }
            }
        }
    }

    public static string DeviceId(string resource, string node, int index)
    {
        var kind = resource[(resource.LastIndexOf('/') + 1)..].ToUpperInvariant();
        return $"{kind}-{node}-{index.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string Key(string node, string resource) => node + "\n" + resource;
}
