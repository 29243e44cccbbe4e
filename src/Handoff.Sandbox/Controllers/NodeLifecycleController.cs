using System.Text.Json.Nodes;
using Handoff.Sandbox.Scheduling;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// The node lifecycle controller's taints by condition (TaintNodesByCondition): <c>node.kubernetes.io/not-ready</c>
/// while Ready is False, <c>node.kubernetes.io/unreachable</c> while it is Unknown or missing (no kubelet reports),
/// <c>node.kubernetes.io/unschedulable</c> while the node is cordoned — all with effect NoSchedule, so the
/// scheduler's taint filter keeps new pods away. Other taints are left as they are. (The NoExecute taints of
/// taint-based eviction are not set: pods on a NotReady node are never evicted.)
/// </summary>
internal sealed class NodeLifecycleController(ApiEngine engine) : QueueController(engine)
{
    private static readonly string[] Managed = [WellKnownTaints.NotReady, WellKnownTaints.Unreachable, WellKnownTaints.Unschedulable];
    private readonly ResourceType _nodes = engine.Builtin("", "nodes");

    protected override void OnChanged(StoreChange change)
    {
        if (change.Collection.GroupResource == "nodes" && change.Type != WatchEventType.Deleted)
        {
            Queue.Add(change.Object.Name);
        }
    }

    protected override void Reconcile(string name)
    {
        var now = Engine.Now();
        Engine.Mutate(_nodes, null, name, doc =>
        {
            var wanted = new List<string>();
            switch (StatusConditions.Status(doc, "Ready"))
            {
                case "True":
                    break;
                case "False":
                    wanted.Add(WellKnownTaints.NotReady);
                    break;
                default:
                    wanted.Add(WellKnownTaints.Unreachable);
                    break;
            }

            if (JsonNodes.At(doc, "spec", "unschedulable") is JsonValue v && v.TryGetValue<bool>(out var cordoned) && cordoned)
            {
                wanted.Add(WellKnownTaints.Unschedulable);
            }

            var spec = doc["spec"] as JsonObject ?? [];
            doc["spec"] = spec;
            var taints = (spec["taints"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            bool IsManaged(JsonObject t) => Managed.Contains(JsonNodes.GetString(t, "key")) && JsonNodes.GetString(t, "effect") == "NoSchedule";
            var present = taints.Where(IsManaged).Select(t => JsonNodes.GetString(t, "key")!).ToHashSet();
            if (present.SetEquals(wanted))
            {
                return false;
            }

            var kept = taints.Where(t => !IsManaged(t) || wanted.Contains(JsonNodes.GetString(t, "key")!)).Select(t => (JsonNode)t.DeepClone()).ToList();
            kept.AddRange(wanted.Where(k => !present.Contains(k)).Select(k => (JsonNode)new JsonObject { ["key"] = k, ["effect"] = "NoSchedule", ["timeAdded"] = now }));
            if (kept.Count == 0)
            {
                spec.Remove("taints");
            }
            else
            {
                spec["taints"] = new JsonArray([.. kept]);
            }

            return true;
        });
    }

    protected override void Resync()
    {
        foreach (var node in Engine.CollectionOf(_nodes).Snapshot())
        {
            Queue.Add(node.Name);
        }
    }
}
