using System.Text.Json.Nodes;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// The pod garbage collector, for pods no kubelet will ever stop: a pod bound to a node that does not exist (after
/// 40 s of quarantine, as kube-controller-manager waits) is made Failed with condition <c>DisruptionTarget</c>
/// (reason <c>DeletionByPodGC</c>) and deleted with grace period 0; an unscheduled pod that is being deleted (its
/// finalizers keep it) is made Failed and deleted with grace period 0 at once.
/// </summary>
internal sealed class PodGarbageCollector(ApiEngine engine) : QueueController(engine)
{
    /// <summary>How long a node must be missing before its pods are collected (kube-controller-manager's quarantine).</summary>
    public static readonly TimeSpan Quarantine = TimeSpan.FromSeconds(40);

    private readonly ResourceType _pods = engine.Builtin("", "pods");
    private readonly ResourceType _nodes = engine.Builtin("", "nodes");

    protected override void OnChanged(StoreChange change)
    {
        if (change.Collection.GroupResource == "pods" && change.Type != WatchEventType.Deleted && IsUnscheduledTerminating(change.Object.Node))
        {
            Queue.Add(change.Object.Namespace + "/" + change.Object.Name);
        }
        else if (change.Collection.GroupResource == "pods" && change.Type != WatchEventType.Deleted &&
            NodeOf(change.Object.Node) is { Length: > 0 } node && Engine.TryGet(_nodes, null, node) is null)
        {
            Queue.AddAfter(change.Object.Namespace + "/" + change.Object.Name, Quarantine);
        }
        else if (change.Collection.GroupResource == "nodes" && change.Type == WatchEventType.Deleted)
        {
            foreach (var pod in Engine.CollectionOf(_pods).Snapshot().Where(p => NodeOf(p.Node) == change.Object.Name))
            {
                Queue.AddAfter(pod.Namespace + "/" + pod.Name, Quarantine);
            }
        }
    }

    private static string? NodeOf(JsonObject pod) => JsonNodes.GetString(pod["spec"], "nodeName");

    private static bool IsUnscheduledTerminating(JsonObject pod) =>
        string.IsNullOrEmpty(NodeOf(pod)) && ObjectMeta.IsDeleting(pod) &&
        !PodPhase.IsTerminal(pod);

    protected override void Reconcile(string key)
    {
        var (ns, name) = (key[..key.IndexOf('/', StringComparison.Ordinal)], key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        if (Engine.TryGet(_pods, ns, name) is not { } pod)
        {
            return;
        }

        var unscheduled = IsUnscheduledTerminating(pod.Node);
        if (!unscheduled && (NodeOf(pod.Node) is not { Length: > 0 } node || Engine.TryGet(_nodes, null, node) is not null))
        {
            return;
        }

        var now = Engine.Now();
        Engine.Mutate(_pods, ns, name, doc =>
        {
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            if (!PodPhase.IsTerminal(doc))
            {
                status["phase"] = "Failed";
            }

            if (!unscheduled)
            {
                StatusConditions.Set(status, "DisruptionTarget", "True", "DeletionByPodGC", "PodGC: node no longer exists", now);
            }

            return true;
        }, subresource: "status", uid: pod.Uid);
        try
        {
            Engine.Delete(_pods, ns, name, new DeleteOptions(PreconditionUid: pod.Uid, GracePeriodSeconds: 0));
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
        }
    }
}
