using System.Text.Json.Serialization;
using Handoff.Api.Crds;

namespace Handoff.Api.V1Alpha1;

/// <summary>A gang: functions placed all together or not at all (<c>spec.gang</c>).</summary>
public sealed class HandoffGang
{
    /// <summary>The gang's name; the functions of a namespace that give the same name form one gang.</summary>
    [CrdSchema(Required = true, Pattern = CrdPatterns.Dns1123Label, MaxLength = 63)]
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>
    /// The gang is placed only when at least this many of its members are ready and all of those fit at once.
    /// </summary>
    [CrdSchema(Required = true, Minimum = 1)]
    [JsonPropertyName("minMembers")]
    public int MinMembers { get; set; } = 1;
}
