using System.Text.Json.Nodes;
using Handoff.Sandbox.Controllers;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Scheduling;

/// <summary>
/// The default scheduler (<c>default-scheduler</c>): it places the pods whose <c>spec.schedulerName</c> is its own
/// (or empty) and that have no node, in priority then creation order. Each node goes through kube-scheduler's
/// filters (<see cref="SchedulingFilters"/>) against what the non-terminal pods bound to it request; among the nodes
/// that fit, the least allocated (cpu and memory; ties by name) gets the pod through <c>pods/binding</c> and a
/// <c>Scheduled</c> event. A pod that fits nowhere gets <c>PodScheduled=False</c>, reason <c>Unschedulable</c>, with
/// kube-scheduler's message, and a <c>FailedScheduling</c> event when that message changes; it is tried again whenever
/// a node or a pod changes. Pods naming another scheduler (e.g. <c>handoff</c>) are left alone. It does not preempt.
/// </summary>
internal sealed class DefaultScheduler : QueueController
{
    public const string Name = "default-scheduler";
    private const string PassKey = "pass";
    private readonly Lock _lock = new();
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly ResourceType _pods;
    private readonly ResourceType _nodes;
    private readonly PodBinding _binding;
    private readonly EventRecorder _events;

    public DefaultScheduler(ApiEngine engine)
        : base(engine)
    {
        _pods = engine.Builtin("", "pods");
        _nodes = engine.Builtin("", "nodes");
        _binding = new PodBinding(engine);
        _events = new EventRecorder(engine, Name);
    }

    /// <summary>Whether this scheduler owns the pod and it still needs a node.</summary>
    private static bool Wants(JsonObject pod) =>
        string.IsNullOrEmpty(JsonNodes.GetString(pod["spec"], "nodeName")) &&
        JsonNodes.GetString(pod["spec"], "schedulerName") is null or "" or Name &&
        !ObjectMeta.IsDeleting(pod) &&
        !PodPhase.IsTerminal(pod);

    protected override void OnChanged(StoreChange change)
    {
        bool anyPending;
        if (change.Collection.GroupResource == "pods")
        {
            var key = change.Object.Namespace + "/" + change.Object.Name;
            var wanted = change.Type != WatchEventType.Deleted && Wants(change.Object.Node);
            lock (_lock)
            {
                var added = wanted && _pending.Add(key);
                if (!wanted)
                {
                    _pending.Remove(key);
                }

                anyPending = _pending.Count > 0;

                // A new pending pod, or one whose spec changed (tolerations added, scheduling gates removed).
                if (added || (wanted && !JsonNode.DeepEquals(change.Object.Node["spec"], change.Previous?.Node["spec"])))
                {
                    Queue.Add(PassKey);
                    return;
                }
            }

            // Capacity only frees up when a bound pod goes or ends.
            var freed = change.Type == WatchEventType.Deleted ||
                (PodPhase.IsTerminal(change.Object.Node) && !PodPhase.IsTerminal(change.Previous?.Node));
            if (anyPending && freed)
            {
                Queue.Add(PassKey);
            }
        }
        else if (change.Collection.GroupResource == "nodes")
        {
            lock (_lock)
            {
                anyPending = _pending.Count > 0;
            }

            if (anyPending)
            {
                Queue.Add(PassKey);
            }
        }
    }

    protected override void Resync() => Queue.Add(PassKey);

    /// <summary>One scheduling pass over every pending pod, on one snapshot of the nodes and their usage.</summary>
    protected override void Reconcile(string key)
    {
        var pods = Engine.CollectionOf(_pods).Snapshot();
        var pending = pods.Where(p => Wants(p.Node))
            .OrderByDescending(p => JsonNodes.Int64(JsonNodes.At(p.Node, "spec", "priority")) ?? 0)
            .ThenBy(p => JsonNodes.GetString(p.Node["metadata"], "creationTimestamp"), StringComparer.Ordinal)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var nodes = Engine.CollectionOf(_nodes).Snapshot();
        var usage = nodes.ToDictionary(n => n.Name, _ => (Used: new ResourceAmounts(), Pods: 0), StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (JsonNodes.GetString(pod.Node["spec"], "nodeName") is { Length: > 0 } node && usage.TryGetValue(node, out var u) &&
                !PodPhase.IsTerminal(pod.Node))
            {
                u.Used.Add(PodRequests.Effective(pod.Node["spec"]));
                usage[node] = (u.Used, u.Pods + 1);
            }
        }

        foreach (var pod in pending)
        {
            try
            {
                Schedule(pod, nodes, usage);
            }
            catch (ApiException)
            {
                // Bound, changed or deleted meanwhile: the change brings it back here if it still matters.
            }
        }
    }

    private void Schedule(StoredObject pod, List<StoredObject> nodes, Dictionary<string, (ResourceAmounts Used, int Pods)> usage)
    {
        var spec = pod.Node["spec"];
        if (JsonNodes.At(spec, "schedulingGates") is JsonArray { Count: > 0 })
        {
            SetUnschedulable(pod, "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates", recordEvent: false);
            return;
        }

        var request = PodRequests.Effective(spec);
        var verdicts = new List<NodeVerdict>();
        StoredObject? best = null;
        decimal bestScore = -1;
        foreach (var node in nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var (used, count) = usage[node.Name];
            var verdict = SchedulingFilters.Check(spec, request, node.Node, used, count);
            verdicts.Add(verdict);
            var score = verdict.Feasible ? SchedulingFilters.Score(request, node.Node, used) : -1;
            if (verdict.Feasible && score > bestScore)
            {
                (best, bestScore) = (node, score);
            }
        }

        if (best is null)
        {
            var never = JsonNodes.GetString(spec, "preemptionPolicy") == "Never";
            SetUnschedulable(pod, "Unschedulable", SchedulingFilters.FailureMessage(verdicts, never), recordEvent: true);
            return;
        }

        var binding = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Binding",
            ["metadata"] = new JsonObject { ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["uid"] = pod.Uid },
            ["target"] = new JsonObject { ["kind"] = "Node", ["name"] = best.Name },
        };
        var bound = _binding.Bind(pod.Namespace, pod.Name, binding);
        var (u, n) = usage[best.Name];
        u.Add(request);
        usage[best.Name] = (u, n + 1);
        _events.Record(bound, "v1", "Pod", "Normal", "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to {best.Name}");
    }

    /// <summary>PodScheduled=False with the reason and message; an event only when the message is new.</summary>
    private void SetUnschedulable(StoredObject pod, string reason, string message, bool recordEvent)
    {
        var current = (JsonNodes.At(pod.Node, "status", "conditions") as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == "PodScheduled");
        if (JsonNodes.GetString(current, "status") == "False" && JsonNodes.GetString(current, "reason") == reason && JsonNodes.GetString(current, "message") == message)
        {
            return;
        }

        var now = Engine.Now();
        var updated = Engine.Mutate(_pods, pod.Namespace, pod.Name, doc =>
        {
            if (!Wants(doc))
            {
                return false;
            }

            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            StatusConditions.Set(status, "PodScheduled", "False", reason, message, now);
            return true;
        }, subresource: "status", uid: pod.Uid);
        if (recordEvent && updated is not null)
        {
            _events.Record(updated, "v1", "Pod", "Warning", "FailedScheduling", message);
        }
    }
}
