using System.Text.Json.Serialization;
using Handoff.Api.Crds;
using Handoff.Core.Allocation;
using Handoff.Core.Lifecycle;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>
/// HandoffFunction: a pod template with a resource cost and dependencies; Handoff runs it once its args have
/// Succeeded, on a HandoffNode with enough capacity, and hands it their results. Namespaced.
/// </summary>
[CrdResource(HandoffApi.FunctionPlural, HandoffApi.FunctionSingular, "Namespaced", ShortNames = [HandoffApi.FunctionShortName], Categories = [HandoffApi.Category],
    MaxNameLength = 63, NameMessage = "must be no more than 63 characters: a HandoffFunction's name is the value of the handoff.dev/function label of its pods")]
[CrdPrinterColumn("Phase", "string", ".status.phase", Order = 1, Description = "Waiting, Pending, Scheduled, Running, Succeeded or Failed.")]
[CrdPrinterColumn("Node", "string", ".status.node", Order = 2, Description = "The HandoffNode holding the function's cost.")]
[CrdPrinterColumn("Attempts", "integer", ".status.attempts", Order = 3, Description = "Pods started so far.")]
[CrdPrinterColumn("Result", "string", ".status.result", Order = 4, Description = "The first container's termination message.")]
[CrdPrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 5)]
[CrdPrinterColumn("Message", "string", ".status.message", Order = 6, Priority = 1, Description = "Why the function waits or failed.")]
public sealed class HandoffFunction : IKubernetesObject<V1ObjectMeta>, ISpec<HandoffFunctionSpec>, IStatus<HandoffFunctionStatus>
{
    /// <summary>handoff.dev/v1alpha1.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    /// <summary>HandoffFunction.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.FunctionKind;

    // Metadata, spec and status are made when first read, not when the object is: a decoder sets all three, and the
    // operator decodes every version of every function it sees (three a function on the happy path), so each decode
    // made three objects only to replace them (16 MB of a 10,000 burst). Made once even when read by two threads at once.
    private V1ObjectMeta? _metadata;
    private HandoffFunctionSpec? _spec;
    private HandoffFunctionStatus? _status;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata
    {
        get => _metadata ?? Interlocked.CompareExchange(ref _metadata, new(), null) ?? _metadata;
        set => _metadata = value;
    }

    /// <summary>What to run, what it costs and what it depends on.</summary>
    [CrdSchema(Required = true)]
    [JsonPropertyName("spec")]
    public HandoffFunctionSpec Spec
    {
        get => _spec ?? Interlocked.CompareExchange(ref _spec, new(), null) ?? _spec;
        set => _spec = value;
    }

    /// <summary>Written by the operator.</summary>
    [JsonPropertyName("status")]
    public HandoffFunctionStatus Status
    {
        get => _status ?? Interlocked.CompareExchange(ref _status, new(), null) ?? _status;
        set => _status = value;
    }
}

/// <summary>What a HandoffFunction runs, what it costs, what it depends on and how it is scheduled.</summary>
public sealed class HandoffFunctionSpec
{
    /// <summary>
    /// Resource name to quantity held on the node while the function runs; empty costs nothing. Kubernetes compute
    /// resources the template requests but <c>cost</c> does not name are added (the larger counts where both do).
    /// </summary>
    [CrdSchema(Shape = CrdShape.QuantityMap)]
    [JsonConverter(typeof(QuantityMapConverter))]
    [JsonPropertyName("cost")]
    public IDictionary<string, string>? Cost { get; set; }

    /// <summary>
    /// Names of HandoffFunctions in the same namespace; this one starts after all of them Succeeded and receives their
    /// results, in this order. At most 256; HANDOFF_ARGS (their results and <c>extraArgs</c>) must stay within 131058
    /// bytes, else the function fails with reason <c>InputTooLarge</c>.
    /// </summary>
    [CrdSchema(ItemPattern = CrdPatterns.Dns1123Label, ItemMaxLength = 63, MaxItems = Core.Lifecycle.InputLimits.MaxArgs)]
    [JsonPropertyName("args")]
    public IList<string>? Args { get; set; }

    /// <summary>Strings handed to the function after the results of <c>args</c>.</summary>
    [JsonPropertyName("extraArgs")]
    public IList<string>? ExtraArgs { get; set; }

    /// <summary>
    /// How a node is chosen: <c>FirstAvailable</c> (the first fitting node in name order), <c>LoadBalanced</c> (the one
    /// left with the most free) or <c>BestFit</c> (the one left with the least). Default: the operator's
    /// <c>--default-strategy</c> (FirstAvailable).
    /// </summary>
    [CrdSchema(Enum = [nameof(AllocationStrategy.FirstAvailable), nameof(AllocationStrategy.LoadBalanced), nameof(AllocationStrategy.BestFit)])]
    [JsonPropertyName("strategy")]
    public string? Strategy { get; set; }

    /// <summary>Only HandoffNodes whose labels match all of these are eligible.</summary>
    [CrdSchema(ValuePattern = CrdPatterns.LabelValue, ValueMaxLength = 63, MaxProperties = CrdPatterns.MaxSelectorEntries)]
    [JsonPropertyName("nodeSelector")]
    public IDictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Pins the function to this HandoffNode (still capacity-checked).</summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    /// <summary>A HandoffFunction in the same namespace; this one runs on the node that one was placed on.</summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Label, MaxLength = 63)]
    [JsonPropertyName("collocateWith")]
    public string? CollocateWith { get; set; }

    /// <summary>Failed attempts are retried up to this many times, with back-off (10s doubling, capped at 5m).</summary>
    [CrdSchema(Minimum = 0, Default = HandoffApi.DefaultMaxRetries)]
    [JsonPropertyName("maxRetries")]
    public int? MaxRetries { get; set; }

    /// <summary>
    /// The HandoffQueue whose quota this function's cost counts against; none: no quota (and the implicit queue of
    /// weight 1 for fair sharing).
    /// </summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("queue")]
    public string? Queue { get; set; }

    /// <summary>Higher first. Default: the value of <c>priorityClassName</c>, else 0.</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; set; }

    /// <summary>
    /// A Kubernetes PriorityClass (scheduling.k8s.io/v1) whose value is the priority when <c>priority</c> is not set;
    /// an unknown class keeps the function Pending with a message naming it.
    /// </summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("priorityClassName")]
    public string? PriorityClassName { get; set; }

    /// <summary>Functions of one gang (same namespace, same name) are placed all together or not at all.</summary>
    [JsonPropertyName("gang")]
    public HandoffGang? Gang { get; set; }

    /// <summary>
    /// <c>PreemptLowerPriority</c>: when it fits nowhere, the function may evict functions and Handoff-placed pods of
    /// strictly lower priority. <c>Never</c>: it waits.
    /// </summary>
    [CrdSchema(Enum = [PreemptionPolicies.PreemptLowerPriority, PreemptionPolicies.Never], Default = PreemptionPolicies.PreemptLowerPriority)]
    [JsonPropertyName("preemptionPolicy")]
    public string? PreemptionPolicy { get; set; }

    /// <summary>
    /// The function (and with it its pods) is deleted this many seconds after it Succeeded or Failed, once no unfinished
    /// function names it in <c>args</c> or <c>collocateWith</c>. Default: the operator's
    /// <c>--default-ttl-seconds-after-finished</c> (none: kept). Its result and message stay in its status until then.
    /// </summary>
    [CrdSchema(Minimum = 0)]
    [JsonPropertyName("ttlSecondsAfterFinished")]
    public int? TtlSecondsAfterFinished { get; set; }

    /// <summary>
    /// When the function's pods are deleted once its outcome is recorded in its status: <c>Never</c>, <c>OnSuccess</c>
    /// (after Succeeded) or <c>OnCompletion</c> (after Succeeded or Failed). Default: the operator's
    /// <c>--default-pod-gc</c> (Never). The result stays in the function's status.
    /// </summary>
    [CrdSchema(Enum = [PodGCPolicies.Never, PodGCPolicies.OnSuccess, PodGCPolicies.OnCompletion])]
    [JsonPropertyName("podGC")]
    public string? PodGC { get; set; }

    /// <summary>
    /// A PodTemplateSpec: the function's code. <c>spec.containers</c> needs at least one container with a name and an
    /// image; the rest is checked by the API server when the operator creates the pod (an invalid template fails the
    /// function with its message). <c>nodeName</c>, <c>schedulerName</c> and <c>restartPolicy</c> are set by Handoff.
    /// </summary>
    [CrdSchema(Shape = CrdShape.PodTemplate)]
    [JsonPropertyName("template")]
    public V1PodTemplateSpec Template { get; set; } = new();
}

/// <summary>What the operator last saw of a HandoffFunction.</summary>
public sealed class HandoffFunctionStatus
{
    /// <summary>Waiting, Pending, Scheduled, Running, Succeeded or Failed.</summary>
    [CrdSchema(Enum = [FunctionPhases.Waiting, FunctionPhases.Pending, FunctionPhases.Scheduled, FunctionPhases.Running, FunctionPhases.Succeeded, FunctionPhases.Failed])]
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    /// <summary>The HandoffNode holding the function's cost.</summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    /// <summary>
    /// The HandoffNode a preempting function waits for: its victims are being evicted there, and it is placed there
    /// once they are gone.
    /// </summary>
    [CrdSchema(Pattern = CrdPatterns.Dns1123Subdomain, MaxLength = 253)]
    [JsonPropertyName("nominatedNode")]
    public string? NominatedNode { get; set; }

    /// <summary>The pod of the current attempt.</summary>
    [CrdSchema(MaxLength = 253)]
    [JsonPropertyName("podName")]
    public string? PodName { get; set; }

    /// <summary>Pods started so far.</summary>
    [CrdSchema(Minimum = 0)]
    [JsonPropertyName("attempts")]
    public int Attempts { get; set; }

    /// <summary>Position in its queue while Pending (1 = next).</summary>
    [CrdSchema(Minimum = 1)]
    [JsonPropertyName("queuePosition")]
    public int? QueuePosition { get; set; }

    /// <summary>The first container's termination message (at most 4096 bytes).</summary>
    [CrdSchema(MaxLength = HandoffApi.MaxResultBytes)]
    [JsonPropertyName("result")]
    public string? Result { get; set; }

    /// <summary>Why the function waits, is pending or failed.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>When a failed attempt may be retried (back-off).</summary>
    [JsonPropertyName("retryAfter")]
    public DateTime? RetryAfter { get; set; }

    /// <summary>When the first attempt's pod was bound.</summary>
    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; set; }

    /// <summary>When the function became Succeeded or Failed.</summary>
    [JsonPropertyName("completionTime")]
    public DateTime? CompletionTime { get; set; }

    /// <summary>DependenciesReady, Scheduled, Completed.</summary>
    [CrdSchema(ListMapKey = "type")]
    [JsonPropertyName("conditions")]
    public IList<HandoffCondition>? Conditions { get; set; }

    /// <summary>The <c>metadata.generation</c> this status describes.</summary>
    [CrdSchema(Minimum = 0)]
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
