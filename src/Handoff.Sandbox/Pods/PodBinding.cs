using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Pods;

/// <summary>The <c>pods/binding</c> subresource: what a scheduler posts to assign a pod to a node.</summary>
internal sealed class PodBinding(ApiEngine engine)
{
    private readonly ResourceType _pods = engine.Builtin("", "pods");

    /// <summary>POST pods/{name}/binding: sets spec.nodeName and the PodScheduled condition; 409 if already bound.</summary>
    public void Bind(string ns, string podName, JsonObject binding)
    {
        var target = JsonNodes.GetString(binding["target"], "name");
        if (string.IsNullOrEmpty(target))
        {
            throw ApiException.Invalid("Binding", "", "Binding", podName, [FieldCause.Required("target.name")]);
        }

        var bindingName = JsonNodes.ScalarText(JsonNodes.At(binding, "metadata", "name"));
        if (bindingName.Length > 0 && bindingName != podName)
        {
            throw ApiException.BadRequest($"the name of the object ({bindingName}) does not match the name on the URL ({podName})");
        }

        var now = engine.Now();
        var result = engine.Mutate(_pods, ns, podName, doc =>
        {
            var spec = doc["spec"] as JsonObject ?? [];
            if (JsonNodes.GetString(spec, "nodeName") is { Length: > 0 } existing)
            {
                throw ApiException.Conflict("pods/binding", "", "pods/binding", podName, $"pod {podName} is already assigned to node \"{existing}\"");
            }

            if (JsonNodes.At(doc, "metadata", "deletionTimestamp") is not null)
            {
                throw ApiException.Conflict("pods/binding", "", "pods/binding", podName, $"pod {podName} is being deleted, cannot be assigned to a host");
            }

            spec["nodeName"] = target;
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            StatusConditions.Set(status, "PodScheduled", "True", null, null, now);
            return true;
        });
        if (result is null)
        {
            throw ApiException.NotFound("pods", "", "pods", podName);
        }
    }
}
