using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>The capacities of one Kubernetes node, as Handoff schedules against them. Cluster-scoped.</summary>
public sealed class HandoffNode : IKubernetesObject<V1ObjectMeta>, ISpec<HandoffNodeSpec>, IStatus<HandoffNodeStatus>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.NodeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public HandoffNodeSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public HandoffNodeStatus Status { get; set; } = new();
}

public sealed class HandoffNodeSpec
{
    /// <summary>The Kubernetes Node that function pods are bound to; defaults to metadata.name.</summary>
    [JsonPropertyName("nodeName")]
    public string? NodeName { get; set; }

    /// <summary>Resource name to quantity; at least one entry.</summary>
    [JsonPropertyName("capacity")]
    public IDictionary<string, string> Capacity { get; set; } = new Dictionary<string, string>();

    /// <summary>True = cordoned: no new functions, running ones finish.</summary>
    [JsonPropertyName("unschedulable")]
    public bool Unschedulable { get; set; }
}

public sealed class HandoffNodeStatus
{
    [JsonPropertyName("allocated")]
    public IDictionary<string, string>? Allocated { get; set; }

    [JsonPropertyName("available")]
    public IDictionary<string, string>? Available { get; set; }

    [JsonPropertyName("functions")]
    public int Functions { get; set; }

    [JsonPropertyName("conditions")]
    public IList<HandoffCondition>? Conditions { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}

public sealed class HandoffNodeList : IKubernetesObject<V1ListMeta>, IItems<HandoffNode>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.NodeKind + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<HandoffNode> Items { get; set; } = [];
}
