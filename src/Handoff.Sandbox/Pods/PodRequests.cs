using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Pods;

/// <summary>A pod's effective request, as kube-scheduler and the kubelet compute it (k8s.io/component-helpers resource.PodRequests).</summary>
internal static class PodRequests
{
    /// <summary>
    /// The larger of the containers' sum (plus restartable init containers, i.e. sidecars) and each init container
    /// (plus the sidecars started before it), plus <c>spec.overhead</c>.
    /// </summary>
    public static ResourceAmounts Effective(JsonNode? podSpec)
    {
        var requests = new ResourceAmounts();
        foreach (var c in Containers(podSpec, "containers"))
        {
            requests.Add(Requests(c));
        }

        var sidecars = new ResourceAmounts();
        var init = new ResourceAmounts();
        foreach (var c in Containers(podSpec, "initContainers"))
        {
            var containerRequests = Requests(c);
            if (JsonNodes.GetString(c, "restartPolicy") == "Always")
            {
                requests.Add(containerRequests);
                sidecars.Add(containerRequests);
                containerRequests = new ResourceAmounts();
                containerRequests.Add(sidecars);
            }
            else
            {
                containerRequests.Add(sidecars);
            }

            init.Max(containerRequests);
        }

        requests.Max(init);
        requests.Add(ResourceAmounts.From(JsonNodes.At(podSpec, "overhead")));
        return requests;
    }

    public static ResourceAmounts Requests(JsonObject container) => ResourceAmounts.From(JsonNodes.At(container, "resources", "requests"));

    public static ResourceAmounts Limits(JsonObject container) => ResourceAmounts.From(JsonNodes.At(container, "resources", "limits"));

    public static IEnumerable<JsonObject> Containers(JsonNode? podSpec, string list) =>
        (JsonNodes.At(podSpec, list) as JsonArray ?? []).OfType<JsonObject>();
}
