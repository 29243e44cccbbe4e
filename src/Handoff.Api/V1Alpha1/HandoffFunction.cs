using System.Text.Json.Serialization;
using Handoff.Api.Crds;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>A workload: a pod template with a resource cost and dependencies. Namespaced.</summary>
[CrdResource(HandoffApi.FunctionPlural, HandoffApi.FunctionSingular, "Namespaced", ShortNames = [HandoffApi.FunctionShortName], Categories = [HandoffApi.Category], Description = "HandoffFunction: a pod template with a resource cost and dependencies; Handoff runs it once its args have Succeeded, on a HandoffNode with enough capacity, and hands it their results.")]
[CrdPrinterColumn("Phase", "string", ".status.phase", Order = 1, Description = "Waiting, Pending, Scheduled, Running, Succeeded or Failed.")]
[CrdPrinterColumn("Node", "string", ".status.node", Order = 2, Description = "The HandoffNode holding the function's cost.")]
[CrdPrinterColumn("Attempts", "integer", ".status.attempts", Order = 3, Description = "Pods started so far.")]
[CrdPrinterColumn("Result", "string", ".status.result", Order = 4, Description = "The first container's termination message.")]
[CrdPrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 5)]
[CrdPrinterColumn("Message", "string", ".status.message", Order = 6, Priority = 1, Description = "Why the function waits or failed.")]
public sealed class HandoffFunction : IKubernetesObject<V1ObjectMeta>, ISpec<HandoffFunctionSpec>, IStatus<HandoffFunctionStatus>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.FunctionKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [CrdSchema(Required = true, Description = "What to run, what it costs and what it depends on.")]
    [JsonPropertyName("spec")]
    public HandoffFunctionSpec Spec { get; set; } = new();

    [CrdSchema(Description = "Written by the operator.")]
    [JsonPropertyName("status")]
    public HandoffFunctionStatus Status { get; set; } = new();
}

public sealed class HandoffFunctionSpec
{
    /// <summary>Resource name to quantity; empty costs nothing.</summary>
    [CrdSchema(Description = "Resource name to quantity held on the node while the function runs; empty = costs nothing.", KeyPattern = CrdPatterns.ResourceName, KeyMessage = "resource names are an optional DNS-subdomain prefix and '/', then letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. cpu, nvidia.com/gpu, specialized_hardware)", ValuePattern = CrdPatterns.Quantity, ValueMaxLength = CrdPatterns.MaxQuantityLength, MaxProperties = CrdPatterns.MaxResources)]
    [JsonPropertyName("cost")]
    public IDictionary<string, string>? Cost { get; set; }

    /// <summary>Names of HandoffFunctions in the same namespace whose results this one takes, in order.</summary>
    [CrdSchema(Description = "Names of HandoffFunctions in the same namespace; this one starts after all of them Succeeded and receives their results, in this order.", ItemPattern = CrdPatterns.Dns1123Label, ItemMaxLength = 63)]
    [JsonPropertyName("args")]
    public IList<string>? Args { get; set; }

    /// <summary>Strings handed to the function after the results of <see cref="Args"/>.</summary>
    [CrdSchema(Description = "Strings handed to the function after the results of args.")]
    [JsonPropertyName("extraArgs")]
    public IList<string>? ExtraArgs { get; set; }

    /// <summary>FirstAvailable (default), LoadBalanced or BestFit.</summary>
    [CrdSchema(Description = "How a node is chosen: FirstAvailable (first fitting node in name order), LoadBalanced (leaves the most free) or BestFit (leaves the least). Default: the operator's --default-strategy (FirstAvailable).", Enum = [nameof(AllocationStrategy.FirstAvailable), nameof(AllocationStrategy.LoadBalanced), nameof(AllocationStrategy.BestFit)])]
    [JsonPropertyName("strategy")]
    public string? Strategy { get; set; }

    [CrdSchema(Description = "Only HandoffNodes whose labels match all of these are eligible.", ValuePattern = CrdPatterns.LabelValue, ValueMaxLength = 63, MaxProperties = CrdPatterns.MaxSelectorEntries)]
    [JsonPropertyName("nodeSelector")]
    public IDictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Pinned HandoffNode (still capacity-checked).</summary>
    [CrdSchema(Description = "Pin the function to this HandoffNode (still capacity-checked).", Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    /// <summary>A function in the same namespace whose node this one must run on.</summary>
    [CrdSchema(Description = "A HandoffFunction in the same namespace; this one runs on the node that one was placed on.", Pattern = CrdPatterns.Dns1123Label, MaxLength = 63)]
    [JsonPropertyName("collocateWith")]
    public string? CollocateWith { get; set; }

    /// <summary>Failed attempts are retried up to this many times; default 3.</summary>
    [CrdSchema(Description = "Failed attempts are retried up to this many times, with back-off (10s doubling, capped at 5m).", Minimum = 0, Default = HandoffApi.DefaultMaxRetries)]
    [JsonPropertyName("maxRetries")]
    public int? MaxRetries { get; set; }

    [CrdSchema(Description = "A PodTemplateSpec: the function's code. Validated by the API server when the operator creates the pod; nodeName, schedulerName and restartPolicy are set by Handoff.", PreserveUnknownFields = true)]
    [JsonPropertyName("template")]
    public V1PodTemplateSpec Template { get; set; } = new();
}

public sealed class HandoffFunctionStatus
{
    [CrdSchema(Description = "Waiting, Pending, Scheduled, Running, Succeeded or Failed.", Enum = [FunctionPhases.Waiting, FunctionPhases.Pending, FunctionPhases.Scheduled, FunctionPhases.Running, FunctionPhases.Succeeded, FunctionPhases.Failed])]
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [CrdSchema(Description = "The HandoffNode holding the function's cost.")]
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    [CrdSchema(Description = "The pod of the current attempt.")]
    [JsonPropertyName("podName")]
    public string? PodName { get; set; }

    [CrdSchema(Description = "Pods started so far.", Minimum = 0)]
    [JsonPropertyName("attempts")]
    public int Attempts { get; set; }

    [CrdSchema(Description = "The first container's termination message (at most 4096 bytes).")]
    [JsonPropertyName("result")]
    public string? Result { get; set; }

    [CrdSchema(Description = "Why the function waits, is pending or failed.")]
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>When a failed attempt may be retried (back-off); null otherwise.</summary>
    [CrdSchema(Description = "When a failed attempt may be retried (back-off).")]
    [JsonPropertyName("retryAfter")]
    public DateTime? RetryAfter { get; set; }

    [CrdSchema(Description = "When the first attempt's pod was bound.")]
    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; set; }

    [CrdSchema(Description = "When the function became Succeeded or Failed.")]
    [JsonPropertyName("completionTime")]
    public DateTime? CompletionTime { get; set; }

    [CrdSchema(Description = "DependenciesReady, Scheduled, Completed.", ListMapKey = "type")]
    [JsonPropertyName("conditions")]
    public IList<HandoffCondition>? Conditions { get; set; }

    [CrdSchema(Description = "The metadata.generation this status describes.", Minimum = 0)]
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}

public sealed class HandoffFunctionList : IKubernetesObject<V1ListMeta>, IItems<HandoffFunction>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.FunctionKind + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<HandoffFunction> Items { get; set; } = [];
}
