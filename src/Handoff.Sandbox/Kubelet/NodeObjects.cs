using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Http;
using Handoff.Sandbox.Scheduling;

namespace Handoff.Sandbox.Kubelet;

/// <summary>The Node object a simulated kubelet registers: labels, capacity, conditions, addresses, node info, taints.</summary>
internal static class NodeObjects
{
    public static JsonObject Build(SandboxNode node, int index, string now)
    {
        var labels = new JsonObject
        {
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = "amd64",
        };
        foreach (var (k, v) in node.Labels)
        {
            labels[k] = v;
        }

        var resources = new JsonObject();
        foreach (var (k, v) in node.EffectiveAllocatable())
        {
            resources[k] = v;
        }

        var spec = new JsonObject { ["podCIDR"] = $"10.244.{index.ToString(CultureInfo.InvariantCulture)}.0/24" };
        if (node.Unschedulable)
        {
            spec["unschedulable"] = true;
        }

        // The kubelet registers with its configured taints, and with not-ready until it reports Ready.
        var taints = new JsonArray([.. node.Taints.Select(t => (JsonNode)t.ToJson())]);
        if (!node.Ready)
        {
            taints.Add(new JsonObject { ["key"] = WellKnownTaints.NotReady, ["effect"] = "NoSchedule", ["timeAdded"] = now });
        }

        if (taints.Count > 0)
        {
            spec["taints"] = taints;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = node.Name,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { [SimulatedKubelet.SimulatedNodeAnnotation] = "true", ["node.alpha.kubernetes.io/ttl"] = "0" },
            },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["capacity"] = resources.DeepClone(),
                ["allocatable"] = resources,
                ["conditions"] = new JsonArray(
                    Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                    Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                    Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                    ReadyCondition(node.Ready, now)),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = HostIp(index) },
                    new JsonObject { ["type"] = "Hostname", ["address"] = node.Name }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
                ["nodeInfo"] = new JsonObject
                {
                    ["machineID"] = Guid.NewGuid().ToString("N"),
                    ["systemUUID"] = Guid.NewGuid().ToString(),
                    ["bootID"] = Guid.NewGuid().ToString(),
                    ["kernelVersion"] = "6.8.0-sandbox",
                    ["osImage"] = "Handoff Sandbox (simulated node)",
                    ["containerRuntimeVersion"] = "sandbox://1.0.0",
                    ["kubeletVersion"] = Discovery.KubeletVersion,
                    ["kubeProxyVersion"] = Discovery.KubeletVersion,
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                },
            },
        };
    }

    public static string HostIp(int index) => $"10.0.0.{(index + 10).ToString(CultureInfo.InvariantCulture)}";

    public static JsonObject ReadyCondition(bool ready, string now) => ready
        ? Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)
        : Condition("Ready", "False", "KubeletNotReady", "simulated: node marked not ready", now);

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastHeartbeatTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
