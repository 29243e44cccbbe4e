using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Pods;

/// <summary>
/// The <c>pods/eviction</c> subresource (policy/v1 Eviction), what <c>kubectl drain</c> posts: the pod gets the
/// condition <c>DisruptionTarget</c> (reason <c>EvictionByEvictionAPI</c>) and is deleted with the Eviction's
/// DeleteOptions, i.e. gracefully. PodDisruptionBudgets are not checked: the emulator has no disruption controller,
/// so every eviction is allowed.
/// </summary>
internal sealed class PodEviction(ApiEngine engine)
{
    private readonly ResourceType _pods = engine.Builtin("", "pods");

    public void Evict(string ns, string podName, JsonObject eviction, bool dryRun)
    {
        if (JsonNodes.ScalarText(JsonNodes.At(eviction, "metadata", "name")) != podName)
        {
            throw ApiException.BadRequest("name in URL does not match name in Eviction object");
        }

        var options = eviction["deleteOptions"] as JsonObject;
        var preconditions = options?["preconditions"];
        var uid = JsonNodes.GetString(preconditions, "uid");
        var resourceVersion = JsonNodes.GetString(preconditions, "resourceVersion");
        dryRun |= options?["dryRun"] is JsonArray d && d.Any(x => JsonNodes.ScalarText(x) == "All");
        var pod = engine.Get(_pods, ns, podName);
        if (!dryRun)
        {
            if (uid is { Length: > 0 } && uid != pod.Uid)
            {
                throw ApiException.Conflict("Pod", "", "Pod", podName,
                    $"the UID in the precondition ({uid}) does not match the UID in record ({pod.Uid}). The object might have been deleted and then recreated");
            }

            if (resourceVersion is { Length: > 0 } && resourceVersion != pod.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict("Pod", "", "Pod", podName,
                    $"the ResourceVersion in the precondition ({resourceVersion}) does not match the ResourceVersion in record ({pod.ResourceVersion}). The object might have been modified");
            }

            var now = engine.Now();
            var updated = engine.Mutate(_pods, ns, podName, doc =>
            {
                var status = doc["status"] as JsonObject ?? [];
                doc["status"] = status;
                StatusConditions.Set(status, "DisruptionTarget", "True", "EvictionByEvictionAPI", "Eviction API: evicting", now);
                return true;
            }, subresource: "status");
            if (resourceVersion is { Length: > 0 } && updated is not null)
            {
                // The condition is our own write: the precondition moves with it.
                resourceVersion = updated.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            }
        }

        var policy = JsonNodes.GetString(options, "propagationPolicy");
        if (options?["orphanDependents"] is JsonValue o && o.TryGetValue<bool>(out var orphan) && orphan)
        {
            policy = "Orphan";
        }

        engine.Delete(_pods, ns, podName, new DeleteOptions(policy, uid, resourceVersion, dryRun, JsonNodes.Int64(options?["gracePeriodSeconds"])));
    }
}
