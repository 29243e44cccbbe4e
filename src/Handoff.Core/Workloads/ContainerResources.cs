using Handoff.Core.Resources;

namespace Handoff.Core.Workloads;

/// <summary>
/// A container's <c>resources</c> as far as scheduling is concerned: requests, limits, and whether its
/// <c>restartPolicy</c> is <c>Always</c> (which makes an init container a sidecar, a "restartable init container";
/// Kubernetes ignores it for the resources of regular containers, and so does <see cref="PodRequests"/>).
/// </summary>
public sealed record ContainerResources(ResourceList Requests, ResourceList Limits, bool RestartPolicyAlways = false)
{
    /// <summary>A container that requests and limits nothing.</summary>
    public static ContainerResources None { get; } = new(ResourceList.Empty, ResourceList.Empty);

    /// <summary>A container with these requests and no limits.</summary>
    public static ContainerResources WithRequests(ResourceList requests) => new(requests, ResourceList.Empty);

    /// <summary>
    /// The requests as the API server defaults them on a pod (SetDefaults_Pod): a resource with a limit and no
    /// request gets the limit as its request. A pod template is not defaulted until its pod is created, so cost
    /// is computed from these.
    /// </summary>
    public ResourceList DefaultedRequests
    {
        get
        {
            // A loop, not a query: read for every pod the operator caches, and most limit nothing their requests do not.
            List<KeyValuePair<string, long>>? missing = null;
            foreach (var limit in Limits)
            {
                if (!Requests.Contains(limit.Key))
                {
                    (missing ??= []).Add(limit);
                }
            }

            return missing is null ? Requests : Requests.Add(ResourceList.FromMilli(missing));
        }
    }
}
