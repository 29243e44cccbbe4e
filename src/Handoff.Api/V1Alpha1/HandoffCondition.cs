using System.Text.Json.Serialization;
using Handoff.Api.Crds;

namespace Handoff.Api.V1Alpha1;

/// <summary>A status condition, shaped like metav1.Condition.</summary>
public sealed class HandoffCondition
{
    /// <summary>Type of the condition (CamelCase, or a qualified name).</summary>
    [CrdSchema(Required = true, Pattern = CrdPatterns.QualifiedName, MaxLength = CrdPatterns.MaxQualifiedNameLength)]
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    [CrdSchema(Required = true, Enum = [ConditionStatus.True, ConditionStatus.False, ConditionStatus.Unknown])]
    [JsonPropertyName("status")]
    public string Status { get; set; } = ConditionStatus.Unknown;

    /// <summary>Why the condition is as it is, in one CamelCase word.</summary>
    [CrdSchema(MaxLength = 1024)]
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    /// <summary>Human-readable details.</summary>
    [CrdSchema(MaxLength = 32768)]
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>The <c>metadata.generation</c> the condition was set for.</summary>
    [CrdSchema(Minimum = 0)]
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>When the status last changed.</summary>
    [JsonPropertyName("lastTransitionTime")]
    public DateTime? LastTransitionTime { get; set; }
}

public static class ConditionStatus
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}

public static class ConditionTypes
{
    public const string Ready = "Ready";
    public const string DependenciesReady = "DependenciesReady";
    public const string Scheduled = "Scheduled";
    public const string Completed = "Completed";

    /// <summary>A HandoffQueue admits work (False with a reason when its spec cannot be used).</summary>
    public const string Active = "Active";
}
