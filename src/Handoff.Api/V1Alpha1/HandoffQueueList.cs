using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>A list of HandoffQueues, as the API server returns it.</summary>
public sealed class HandoffQueueList : IKubernetesObject<V1ListMeta>, IItems<HandoffQueue>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.QueueKind + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<HandoffQueue> Items { get; set; } = [];
}
