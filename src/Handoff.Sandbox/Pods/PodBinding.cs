using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Pods;

/// <summary>
/// The <c>pods/binding</c> subresource (the pod registry's BindingREST), what a scheduler posts to assign a pod:
/// in one write, <c>spec.nodeName</c> is set, the Binding's annotations are copied onto the pod and the
/// <c>PodScheduled</c> condition becomes True. A pod that is being deleted, already bound, or still has scheduling
/// gates answers 409 Conflict with the API server's message; the Binding's uid and resourceVersion are preconditions.
/// The node need not exist, as in Kubernetes.
/// </summary>
internal sealed class PodBinding(ApiEngine engine)
{
    private readonly ResourceType _pods = engine.Builtin("", "pods");

    /// <summary>Binds; returns the pod as stored after the binding.</summary>
    public StoredObject Bind(string ns, string podName, JsonObject binding)
    {
        var meta = binding["metadata"] as JsonObject;
        if (JsonNodes.ScalarText(meta?["name"]) != podName)
        {
            throw ApiException.BadRequest("name in URL does not match name in Binding object");
        }

        var errors = new List<string>();
        var kind = JsonNodes.GetString(binding["target"], "kind") ?? "";
        if (kind.Length > 0 && kind != "Node")
        {
            errors.Add($"target.kind: Unsupported value: {FieldCause.Quote(kind)}: supported values: \"Node\", \"<empty>\"");
        }

        var target = JsonNodes.GetString(binding["target"], "name") ?? "";
        if (target.Length == 0)
        {
            errors.Add("target.name: Required value");
        }

        if (errors.Count > 0)
        {
            // The registry returns a plain aggregate error here, which the API server answers as 500 with its text.
            throw new ApiException(500, "", errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]");
        }

        var uid = JsonNodes.GetString(meta, "uid");
        var resourceVersion = JsonNodes.GetString(meta, "resourceVersion");
        var annotations = meta?["annotations"] as JsonObject;
        var now = engine.Now();
        var result = engine.Mutate(_pods, ns, podName, doc =>
        {
            var podMeta = JsonNodes.Metadata(doc);
            var podUid = JsonNodes.ScalarText(podMeta["uid"]);
            if (uid is { Length: > 0 } && uid != podUid)
            {
                throw Conflict(podName, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {podUid}");
            }

            if (resourceVersion is { Length: > 0 } && resourceVersion != JsonNodes.ScalarText(podMeta["resourceVersion"]))
            {
                throw Conflict(podName, $"Precondition failed: ResourceVersion in precondition: {resourceVersion}, ResourceVersion in object meta: {JsonNodes.ScalarText(podMeta["resourceVersion"])}");
            }

            var spec = doc["spec"] as JsonObject ?? [];
            if (podMeta["deletionTimestamp"] is not null)
            {
                throw Conflict(podName, $"pod {podName} is being deleted, cannot be assigned to a host");
            }

            if (JsonNodes.GetString(spec, "nodeName") is { Length: > 0 } existing)
            {
                throw Conflict(podName, $"pod {podName} is already assigned to node \"{existing}\"");
            }

            if (spec["schedulingGates"] is JsonArray { Count: > 0 })
            {
                throw Conflict(podName, $"pod {podName} has non-empty .spec.schedulingGates");
            }

            spec["nodeName"] = target;
            if (annotations is { Count: > 0 })
            {
                var podAnnotations = podMeta["annotations"] as JsonObject ?? [];
                foreach (var (key, value) in annotations)
                {
                    podAnnotations[key] = value?.DeepClone();
                }

                podMeta["annotations"] = podAnnotations;
            }

            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            StatusConditions.Set(status, "PodScheduled", "True", null, null, now);
            return true;
        });
        return result ?? throw ApiException.NotFound("pods", "", "pods", podName);
    }

    private static ApiException Conflict(string podName, string detail) =>
        ApiException.Conflict("pods/binding", "", "pods/binding", podName, detail);
}
