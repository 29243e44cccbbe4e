using System.Text.Json.Nodes;
using System.Text;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Kubelet;

/// <summary>
/// The pod statuses a kubelet writes (to <c>pods/status</c>): running, exited, stopped on deletion, rejected at
/// admission. Each change is for the pod with the given uid only, and never leaves a terminal phase.
/// </summary>
internal sealed class PodStatuses(ApiEngine engine)
{
    /// <summary>The kubelet truncates termination messages to 4096 bytes.</summary>
    public const int MaxTerminationMessageBytes = 4096;

    /// <summary>Exit code of a container that stopped on SIGTERM within its grace period.</summary>
    public const int TerminatedExitCode = 143;

    /// <summary>Exit code of a container killed (SIGKILL) when its grace period ran out.</summary>
    public const int KilledExitCode = 137;

    private readonly ResourceType _pods = engine.Builtin("", "pods");

    private string Now() => engine.Now();

    /// <summary>Running: container statuses running and ready, IPs, start time.</summary>
    public void Start(string ns, string name, string? uid, string hostIp, string podIp)
    {
        var now = Now();
        Write(ns, name, uid, (doc, status) =>
        {
            if (JsonNodes.GetString(status, "phase") is "Running" or "Succeeded" or "Failed")
            {
                return false;
            }

            status["phase"] = "Running";
            status["hostIP"] = hostIp;
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = hostIp });
            status["podIP"] = podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
            status["startTime"] = now;
            foreach (var type in new[] { "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled" })
            {
                StatusConditions.Set(status, type, "True", null, null, now);
            }

            status["containerStatuses"] = ContainerStatuses(doc, (_, _) => new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } }, ready: true);
            return true;
        });
    }

    /// <summary>
    /// The pod's containers exited: the first with <paramref name="exitCode"/> and <paramref name="message"/> as its
    /// termination message (truncated to 4096 bytes), the others with 0; Succeeded when 0, else Failed.
    /// </summary>
    public void Finish(string ns, string name, string? uid, int exitCode, string? message)
    {
        var now = Now();
        if (message is not null && Encoding.UTF8.GetByteCount(message) > MaxTerminationMessageBytes)
        {
            message = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(message), 0, MaxTerminationMessageBytes);
        }

        Write(ns, name, uid, (doc, status) =>
        {
            if (PodPhase.IsTerminal(doc))
            {
                return false;
            }

            var started = JsonNodes.GetString(status, "startTime") ?? now;
            status["phase"] = exitCode == 0 ? "Succeeded" : "Failed";
            status["startTime"] = started;
            SetStopped(status, exitCode == 0 ? "PodCompleted" : "PodFailed", now);
            status["containerStatuses"] = ContainerStatuses(doc, (index, _) => Terminated(index == 0 ? exitCode : 0, index == 0 ? message : null, started, now), ready: false);
            return true;
        });
    }

    /// <summary>
    /// The pod was deleted and its containers stopped: those that ran exited with 143 (stopped on SIGTERM) or 137
    /// (<paramref name="killed"/> when the grace period ran out); those that never started are ContainerStatusUnknown.
    /// The pod is Failed, as the kubelet makes a deleted pod terminal before it is removed.
    /// </summary>
    public void Stop(string ns, string name, string uid, bool killed)
    {
        var now = Now();
        Write(ns, name, uid, (doc, status) =>
        {
            if (PodPhase.IsTerminal(doc))
            {
                return false;
            }

            var previous = (status["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>()
                .ToDictionary(s => JsonNodes.GetString(s, "name") ?? "", s => s, StringComparer.Ordinal);
            status["phase"] = "Failed";
            SetStopped(status, "PodFailed", now);
            status["containerStatuses"] = ContainerStatuses(doc, (_, container) =>
            {
                if (JsonNodes.At(previous.GetValueOrDefault(container), "state", "running", "startedAt") is { } startedAt)
                {
                    return Terminated(killed ? KilledExitCode : TerminatedExitCode, null, JsonNodes.ScalarText(startedAt), now);
                }

                var unknown = Terminated(KilledExitCode, "The container could not be located when the pod was terminated", null, now);
                ((JsonObject)unknown["terminated"]!)["reason"] = "ContainerStatusUnknown";
                return unknown;
            }, ready: false);
            return true;
        });
    }

    /// <summary>Rejected at admission: Failed with the kubelet's reason and <c>Pod was rejected: </c> and its message.</summary>
    public void Reject(string ns, string name, string uid, string reason, string message)
    {
        Write(ns, name, uid, (doc, status) =>
        {
            if (PodPhase.IsTerminal(doc))
            {
                return false;
            }

            var scheduled = (status["conditions"] as JsonArray ?? []).OfType<JsonObject>().Where(c => JsonNodes.GetString(c, "type") == "PodScheduled").Select(c => (JsonNode)c.DeepClone());
            var rejected = new JsonObject
            {
                ["phase"] = "Failed",
                ["reason"] = reason,
                ["message"] = "Pod was rejected: " + message,
                ["qosClass"] = status["qosClass"]?.DeepClone(),
                ["conditions"] = new JsonArray([.. scheduled]),
            };
            doc["status"] = rejected;
            return true;
        });
    }

    private static void SetStopped(JsonObject status, string reason, string now)
    {
        StatusConditions.Set(status, "PodReadyToStartContainers", "False", null, null, now);
        StatusConditions.Set(status, "Initialized", "True", reason, null, now);
        StatusConditions.Set(status, "Ready", "False", reason, null, now);
        StatusConditions.Set(status, "ContainersReady", "False", reason, null, now);
    }

    private static JsonObject Terminated(int exitCode, string? message, string? startedAt, string now)
    {
        var terminated = new JsonObject
        {
            ["exitCode"] = exitCode,
            ["reason"] = exitCode == 0 ? "Completed" : "Error",
        };
        if (!string.IsNullOrEmpty(message))
        {
            terminated["message"] = message;
        }

        if (startedAt is not null)
        {
            terminated["startedAt"] = startedAt;
        }

        terminated["finishedAt"] = now;
        return new JsonObject { ["terminated"] = terminated };
    }

    private static JsonArray ContainerStatuses(JsonObject pod, Func<int, string, JsonObject> state, bool ready)
    {
        var statuses = new JsonArray();
        var index = 0;
        foreach (var c in (JsonNodes.At(pod, "spec", "containers") as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = JsonNodes.GetString(c, "name") ?? "";
            var image = JsonNodes.GetString(c, "image") ?? "";
            var s = state(index++, name);
            if (s["terminated"] is JsonObject t && JsonNodes.GetString(t, "reason") != "ContainerStatusUnknown")
            {
                t["containerID"] = ContainerId(pod, name);
            }

            statuses.Add(new JsonObject
            {
                ["name"] = name,
                ["image"] = image,
                ["imageID"] = "sandbox://" + image,
                ["containerID"] = ContainerId(pod, name),
                ["ready"] = ready,
                ["started"] = ready,
                ["restartCount"] = 0,
                ["state"] = s,
                ["lastState"] = new JsonObject(),
            });
        }

        return statuses;
    }

    private static string ContainerId(JsonObject pod, string container)
    {
        var uid = JsonNodes.ScalarText(JsonNodes.At(pod, "metadata", "uid"));
        return $"sandbox://{uid[..Math.Min(8, uid.Length)]}-{container}";
    }

    private void Write(string ns, string name, string? uid, Func<JsonObject, JsonObject, bool> change)
    {
        var result = engine.Mutate(_pods, ns, name, doc =>
        {
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            return change(doc, status);
        }, subresource: "status", uid: uid);
        if (result is null)
        {
            throw ApiException.NotFound("pods", "", "pods", name);
        }
    }
}
