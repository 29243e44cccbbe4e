using System.Text.Json.Serialization;
using Handoff.Api.Crds;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>
/// HandoffQueue: a quota and a fair share for the functions (and pods) that name it, like Kueue's ClusterQueue.
/// Cluster-scoped.
/// </summary>
[CrdResource(HandoffApi.QueuePlural, HandoffApi.QueueSingular, "Cluster", ShortNames = [HandoffApi.QueueShortName], Categories = [HandoffApi.Category])]
[CrdPrinterColumn("Weight", "string", ".spec.weight", Order = 1, Description = "Fair-share weight.")]
[CrdPrinterColumn("Pending", "integer", ".status.pending", Order = 2, Description = "Ready and waiting in this queue.")]
[CrdPrinterColumn("Admitted", "integer", ".status.admitted", Order = 3, Description = "Holding capacity.")]
[CrdPrinterColumn("Cohort", "string", ".spec.cohort", Order = 4, Description = "Queues of one cohort lend each other unused quota.")]
[CrdPrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 5)]
public sealed class HandoffQueue : IKubernetesObject<V1ObjectMeta>, ISpec<HandoffQueueSpec>, IStatus<HandoffQueueStatus>
{
    /// <summary>handoff.dev/v1alpha1.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    /// <summary>HandoffQueue.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.QueueKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The queue's quota, weight, cohort and rules.</summary>
    [CrdSchema(Required = true)]
    [JsonPropertyName("spec")]
    public HandoffQueueSpec Spec { get; set; } = new();

    /// <summary>Written by the operator.</summary>
    [JsonPropertyName("status")]
    public HandoffQueueStatus Status { get; set; } = new();
}
