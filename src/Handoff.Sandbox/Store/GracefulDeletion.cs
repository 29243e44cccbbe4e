using System.Text.Json.Nodes;
using Handoff.Sandbox.Pods;

namespace Handoff.Sandbox.Store;

/// <summary>What a delete request does to an object's deletion state.</summary>
internal enum DeletionDecision
{
    /// <summary>No grace period: removed now, unless finalizers keep it.</summary>
    Immediate,

    /// <summary>Marked with <c>deletionTimestamp</c> and <c>deletionGracePeriodSeconds</c> (or a grace period shortened).</summary>
    Graceful,

    /// <summary>A graceful deletion is already under way and the request does not shorten it: nothing changes.</summary>
    Pending,
}

/// <summary>
/// Graceful deletion as the API server does it (rest.BeforeDelete and the pod strategy's CheckGracefulDelete): only
/// pods have a grace period. A bound pod that is not terminal gets <c>deletionTimestamp = now + grace</c> and
/// <c>deletionGracePeriodSeconds = grace</c>, grace being the request's <c>gracePeriodSeconds</c>, else the pod's
/// <c>spec.terminationGracePeriodSeconds</c>; its kubelet then stops it and deletes it with grace 0. An unbound or
/// terminal pod gets grace 0. A later request may only shorten the grace period.
/// </summary>
internal static class GracefulDeletion
{
    public static DeletionDecision Decide(ResourceType t, JsonObject obj, long? requestedGrace, DateTimeOffset now)
    {
        var meta = JsonNodes.Metadata(obj);
        if (requestedGrace < 0)
        {
            requestedGrace = 1;
        }

        if (meta["deletionTimestamp"] is not null)
        {
            var current = JsonNodes.Int64(meta["deletionGracePeriodSeconds"]) ?? 0;
            if (!KindRules.IsPod(t) || current <= 0)
            {
                // Deleting without a grace period (finalizers keep it): another delete may remove it now.
                return DeletionDecision.Immediate;
            }

            if (requestedGrace is not { } shorter || shorter >= current)
            {
                return DeletionDecision.Pending;
            }

            var started = (KubeTime.ParseTime(meta["deletionTimestamp"]) ?? now).AddSeconds(-current);
            Mark(meta, started.AddSeconds(shorter), shorter);
            return DeletionDecision.Graceful;
        }

        if (!KindRules.IsPod(t))
        {
            return DeletionDecision.Immediate;
        }

        var spec = obj["spec"] as JsonObject;
        var grace = requestedGrace ?? JsonNodes.Int64(spec?["terminationGracePeriodSeconds"]) ?? 0;
        if (string.IsNullOrEmpty(JsonNodes.GetString(spec, "nodeName")) || PodPhase.IsTerminal(obj))
        {
            grace = 0;
        }

        if (JsonNodes.Int64(meta["generation"]) is { } generation)
        {
            meta["generation"] = generation + 1;
        }

        Mark(meta, now.AddSeconds(grace), grace);
        return DeletionDecision.Graceful;
    }

    /// <summary>What the API server does to an object without a grace period that finalizers keep: deleting since now, grace 0.</summary>
    public static void MarkAsDeleting(JsonObject meta, DateTimeOffset now)
    {
        var existing = KubeTime.ParseTime(meta["deletionTimestamp"]);
        if (existing is null && JsonNodes.Int64(meta["generation"]) is { } generation)
        {
            meta["generation"] = generation + 1;
        }

        if (existing is null || existing > now)
        {
            meta["deletionTimestamp"] = KubeTime.Timestamp(now);
        }

        meta["deletionGracePeriodSeconds"] = 0;
    }

    /// <summary>The grace period an object being deleted still has (0 when none).</summary>
    public static long GracePeriod(JsonObject obj) => JsonNodes.Int64(JsonNodes.At(obj, "metadata", "deletionGracePeriodSeconds")) ?? 0;

    private static void Mark(JsonObject meta, DateTimeOffset deletionTime, long grace)
    {
        meta["deletionTimestamp"] = KubeTime.Timestamp(deletionTime);
        meta["deletionGracePeriodSeconds"] = grace;
    }
}
