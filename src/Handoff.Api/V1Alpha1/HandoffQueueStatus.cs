using System.Text.Json.Serialization;
using Handoff.Api.Crds;

namespace Handoff.Api.V1Alpha1;

/// <summary>What the operator last saw of a HandoffQueue.</summary>
public sealed class HandoffQueueStatus
{
    /// <summary>Functions and pods that are ready and waiting in this queue.</summary>
    [CrdSchema(Minimum = 0)]
    [JsonPropertyName("pending")]
    public int Pending { get; set; }

    /// <summary>Functions and pods of this queue holding capacity.</summary>
    [CrdSchema(Minimum = 0)]
    [JsonPropertyName("admitted")]
    public int Admitted { get; set; }

    /// <summary>The effective costs held by the admitted ones, per resource.</summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("usage")]
    public IDictionary<string, string>? Usage { get; set; }

    /// <summary>How much of the usage is above quota, borrowed from the cohort, per resource.</summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("borrowed")]
    public IDictionary<string, string>? Borrowed { get; set; }

    /// <summary><c>Active</c>: the queue admits work (<c>False</c> with a reason when its spec cannot be used).</summary>
    [CrdSchema(ListMapKey = "type")]
    [JsonPropertyName("conditions")]
    public IList<HandoffCondition>? Conditions { get; set; }

    /// <summary>The <c>metadata.generation</c> this status describes.</summary>
    [CrdSchema(Minimum = 0)]
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}
