using System.Text.Json.Serialization;
using Handoff.Api.Crds;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>
/// HandoffNode: the capacities of one Kubernetes node, as Handoff schedules functions against them. Cluster-scoped.
/// </summary>
[CrdResource(HandoffApi.NodePlural, HandoffApi.NodeSingular, "Cluster", ShortNames = [HandoffApi.NodeShortName], Categories = [HandoffApi.Category])]
[CrdPrinterColumn("Node", "string", ".spec.nodeName", Order = 1, Description = "The Kubernetes Node that function pods are bound to.")]
[CrdPrinterColumn("Functions", "integer", ".status.functions", Order = 2, Description = "Functions holding capacity on this node.")]
[CrdPrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", Order = 3, Description = "Whether the Kubernetes Node exists and is Ready.")]
[CrdPrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 4)]
public sealed class HandoffNode : IKubernetesObject<V1ObjectMeta>, ISpec<HandoffNodeSpec>, IStatus<HandoffNodeStatus>
{
    /// <summary>handoff.dev/v1alpha1.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    /// <summary>HandoffNode.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.NodeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The node's capacities and scheduling switch.</summary>
    [CrdSchema(Required = true)]
    [JsonPropertyName("spec")]
    public HandoffNodeSpec Spec { get; set; } = new();

    /// <summary>Written by the operator.</summary>
    [JsonPropertyName("status")]
    public HandoffNodeStatus Status { get; set; } = new();
}

/// <summary>What a HandoffNode offers.</summary>
[CrdRule(
    "has(self.capacityFrom) && self.capacityFrom == 'Node' || has(self.capacity) && size(self.capacity) > 0",
    Message = "capacity needs at least one resource unless capacityFrom is Node")]
public sealed class HandoffNodeSpec
{
    /// <summary>The Kubernetes Node that function pods are bound to; default: <c>metadata.name</c>.</summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("nodeName")]
    public string? NodeName { get; set; }

    /// <summary>
    /// Where the capacity comes from. <c>None</c>: only <c>capacity</c>, a slice of the node handed to Handoff, and
    /// nothing else is subtracted. <c>Node</c>: the Node's <c>status.allocatable</c> (every resource it reports), with
    /// <c>capacity</c> added on top (an entry of the same name replaces the discovered one); pods Handoff did not place
    /// count as <c>status.external</c>, and each pod Handoff places also counts 1 <c>pods</c>.
    /// </summary>
    [CrdSchema(Enum = [CapacitySources.None, CapacitySources.Node], Default = CapacitySources.None)]
    [JsonPropertyName("capacityFrom")]
    public string? CapacityFrom { get; set; }

    /// <summary>
    /// Resource name to quantity (e.g. <c>cpu: 8</c>, <c>memory: 16000</c>, <c>nvidia.com/gpu: 2</c>). Units are the
    /// user's: a cost is compared with the capacity of the same name. At least one entry unless <c>capacityFrom</c> is
    /// <c>Node</c>.
    /// </summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("capacity")]
    public IDictionary<string, string> Capacity { get; set; } = new Dictionary<string, string>();

    /// <summary>True = cordoned: no new functions are placed here; running ones finish.</summary>
    [JsonPropertyName("unschedulable")]
    public bool Unschedulable { get; set; }
}

/// <summary>What the operator last saw of a HandoffNode.</summary>
public sealed class HandoffNodeStatus
{
    /// <summary>The effective capacity: <c>spec.capacity</c>, on top of the Node's allocatable with <c>capacityFrom: Node</c>.</summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("capacity")]
    public IDictionary<string, string>? Capacity { get; set; }

    /// <summary>Requests of the bound, unfinished pods on the Node that Handoff did not place (only with <c>capacityFrom: Node</c>).</summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("external")]
    public IDictionary<string, string>? External { get; set; }

    /// <summary>Sum of the costs of the functions (and pods) Handoff placed that hold this node.</summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("allocated")]
    public IDictionary<string, string>? Allocated { get; set; }

    /// <summary>Capacity minus external minus allocated, per resource.</summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("available")]
    public IDictionary<string, string>? Available { get; set; }

    /// <summary>Number of functions holding capacity here.</summary>
    [CrdSchema(Minimum = 0)]
    [JsonPropertyName("functions")]
    public int Functions { get; set; }

    /// <summary>
    /// <c>Ready</c>: the Kubernetes Node exists and is Ready (<c>False</c> with reason <c>DuplicateNode</c> when another
    /// HandoffNode already stands for the same Node). <c>Overcommitted</c>: more is held than the capacity now offers
    /// (e.g. the Node's allocatable shrank); nothing new is placed until it is not.
    /// </summary>
    [CrdSchema(ListMapKey = "type")]
    [JsonPropertyName("conditions")]
    public IList<HandoffCondition>? Conditions { get; set; }

    /// <summary>The <c>metadata.generation</c> this status describes.</summary>
    [CrdSchema(Minimum = 0)]
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
