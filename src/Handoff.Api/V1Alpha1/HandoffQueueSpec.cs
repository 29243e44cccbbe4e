using System.Text.Json.Serialization;
using Handoff.Api.Crds;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>What a HandoffQueue allows and how it shares.</summary>
[CrdRule("!has(self.borrowingLimit) || has(self.cohort)", Message = "borrowingLimit needs a cohort to borrow from")]
public sealed class HandoffQueueSpec
{
    /// <summary>
    /// For each listed resource, the sum of the effective costs of this queue's functions and pods that hold capacity
    /// stays within it (plus what is borrowed); an unlisted resource is unlimited.
    /// </summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("quota")]
    public IDictionary<string, string>? Quota { get; set; }

    /// <summary>
    /// Fair-share weight, a quantity greater than zero (<c>1</c>, <c>2</c>, <c>"0.5"</c>; Kueue's weights are quantities
    /// too): within a priority, the queue with the lowest dominant share divided by its weight goes next.
    /// </summary>
    [CrdSchema(Shape = CrdShape.PositiveQuantity, Default = 1)]
    [JsonConverter(typeof(QuantityStringConverter))]
    [JsonPropertyName("weight")]
    public string? Weight { get; set; }

    /// <summary>Queues of one cohort lend each other their unused quota.</summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Label, MaxLength = 63)]
    [JsonPropertyName("cohort")]
    public string? Cohort { get; set; }

    /// <summary>At most this much above <c>quota</c>, borrowed from the cohort's unused quota (per resource; unlisted = no limit). Needs a <c>cohort</c>.</summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("borrowingLimit")]
    public IDictionary<string, string>? BorrowingLimit { get; set; }

    /// <summary>
    /// <c>BestEffortFIFO</c>: a function that does not fit is skipped and those behind it may go first.
    /// <c>StrictFIFO</c>: the head of the queue blocks everything behind it until it fits.
    /// </summary>
    [CrdSchema(Enum = [QueueingStrategies.BestEffortFIFO, QueueingStrategies.StrictFIFO], Default = QueueingStrategies.BestEffortFIFO)]
    [JsonPropertyName("queueingStrategy")]
    public string? QueueingStrategy { get; set; }

    /// <summary>The namespaces whose functions may use the queue (a label selector on the Namespace); default: all.</summary>
    [CrdSchema(Shape = CrdShape.LabelSelector)]
    [JsonPropertyName("namespaceSelector")]
    public V1LabelSelector? NamespaceSelector { get; set; }
}
