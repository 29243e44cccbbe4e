using System.Text.Json.Serialization;
using Handoff.Api.Crds;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>The capacities of one Kubernetes node, as Handoff schedules against them. Cluster-scoped.</summary>
[CrdResource(HandoffApi.NodePlural, HandoffApi.NodeSingular, "Cluster", ShortNames = [HandoffApi.NodeShortName], Categories = [HandoffApi.Category], Description = "HandoffNode: the capacities of one Kubernetes node, as Handoff schedules functions against them.")]
[CrdPrinterColumn("Node", "string", ".spec.nodeName", Order = 1, Description = "The Kubernetes Node that function pods are bound to.")]
[CrdPrinterColumn("Functions", "integer", ".status.functions", Order = 2, Description = "Functions holding capacity on this node.")]
[CrdPrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", Order = 3, Description = "Whether the Kubernetes Node exists and is Ready.")]
[CrdPrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 4)]
public sealed class HandoffNode : IKubernetesObject<V1ObjectMeta>, ISpec<HandoffNodeSpec>, IStatus<HandoffNodeStatus>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.NodeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [CrdSchema(Required = true, Description = "The node's capacities and scheduling switch.")]
    [JsonPropertyName("spec")]
    public HandoffNodeSpec Spec { get; set; } = new();

    [CrdSchema(Description = "Written by the operator.")]
    [JsonPropertyName("status")]
    public HandoffNodeStatus Status { get; set; } = new();
}

public sealed class HandoffNodeSpec
{
    /// <summary>The Kubernetes Node that function pods are bound to; defaults to metadata.name.</summary>
    [CrdSchema(Description = "The Kubernetes Node that function pods are bound to; default: metadata.name.", Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("nodeName")]
    public string? NodeName { get; set; }

    /// <summary>Resource name to quantity; at least one entry.</summary>
    [CrdSchema(Description = "Resource name to quantity (e.g. cpu: 8, memory: 16000, nvidia.com/gpu: 2); at least one entry. Units are the user's: a cost is compared with the capacity of the same name.", KeyPattern = CrdPatterns.ResourceName, KeyMessage = "resource names are an optional DNS-subdomain prefix and '/', then letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. cpu, nvidia.com/gpu, specialized_hardware)", ValuePattern = CrdPatterns.Quantity, ValueMaxLength = CrdPatterns.MaxQuantityLength, MaxProperties = CrdPatterns.MaxResources, Required = true, MinProperties = 1)]
    [JsonPropertyName("capacity")]
    public IDictionary<string, string> Capacity { get; set; } = new Dictionary<string, string>();

    /// <summary>True = cordoned: no new functions, running ones finish.</summary>
    [CrdSchema(Description = "True = cordoned: no new functions are placed here; running ones finish.")]
    [JsonPropertyName("unschedulable")]
    public bool Unschedulable { get; set; }
}

public sealed class HandoffNodeStatus
{
    [CrdSchema(Description = "Sum of the costs of the functions holding this node.", KeyPattern = CrdPatterns.ResourceName, KeyMessage = "resource names are an optional DNS-subdomain prefix and '/', then letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. cpu, nvidia.com/gpu, specialized_hardware)", ValuePattern = CrdPatterns.Quantity, ValueMaxLength = CrdPatterns.MaxQuantityLength, MaxProperties = CrdPatterns.MaxResources)]
    [JsonPropertyName("allocated")]
    public IDictionary<string, string>? Allocated { get; set; }

    [CrdSchema(Description = "Capacity minus allocated, per resource.", KeyPattern = CrdPatterns.ResourceName, KeyMessage = "resource names are an optional DNS-subdomain prefix and '/', then letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. cpu, nvidia.com/gpu, specialized_hardware)", ValuePattern = CrdPatterns.Quantity, ValueMaxLength = CrdPatterns.MaxQuantityLength, MaxProperties = CrdPatterns.MaxResources)]
    [JsonPropertyName("available")]
    public IDictionary<string, string>? Available { get; set; }

    [CrdSchema(Description = "Number of functions holding capacity here.", Minimum = 0)]
    [JsonPropertyName("functions")]
    public int Functions { get; set; }

    [CrdSchema(Description = "Ready: the Kubernetes Node exists and is Ready.", ListMapKey = "type")]
    [JsonPropertyName("conditions")]
    public IList<HandoffCondition>? Conditions { get; set; }

    [CrdSchema(Description = "The metadata.generation this status describes.", Minimum = 0)]
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
