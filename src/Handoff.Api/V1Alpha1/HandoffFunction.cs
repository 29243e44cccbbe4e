using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Handoff.Api.V1Alpha1;

/// <summary>A workload: a pod template with a resource cost and dependencies. Namespaced.</summary>
public sealed class HandoffFunction : IKubernetesObject<V1ObjectMeta>, ISpec<HandoffFunctionSpec>, IStatus<HandoffFunctionStatus>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = HandoffApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = HandoffApi.FunctionKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public HandoffFunctionSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public HandoffFunctionStatus Status { get; set; } = new();
}

public sealed class HandoffFunctionSpec
{
    /// <summary>Resource name to quantity; empty costs nothing.</summary>
    [JsonPropertyName("cost")]
    public IDictionary<string, string>? Cost { get; set; }

    /// <summary>Names of HandoffFunctions in the same namespace whose results this one takes, in order.</summary>
    [JsonPropertyName("args")]
    public IList<string>? Args { get; set; }

    /// <summary>Strings handed to the function after the results of <see cref="Args"/>.</summary>
    [JsonPropertyName("extraArgs")]
    public IList<string>? ExtraArgs { get; set; }

    /// <summary>FirstAvailable (default), LoadBalanced or BestFit.</summary>
    [JsonPropertyName("strategy")]
    public string? Strategy { get; set; }

    [JsonPropertyName("nodeSelector")]
    public IDictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Pinned HandoffNode (still capacity-checked).</summary>
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    /// <summary>A function in the same namespace whose node this one must run on.</summary>
    [JsonPropertyName("collocateWith")]
    public string? CollocateWith { get; set; }

    /// <summary>Failed attempts are retried up to this many times; default 3.</summary>
    [JsonPropertyName("maxRetries")]
    public int? MaxRetries { get; set; }

    [JsonPropertyName("template")]
    public V1PodTemplateSpec Template { get; set; } = new();
}

public sealed class HandoffFunctionStatus
{
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("node")]
    public string? Node { get; set; }

    [JsonPropertyName("podName")]
    public string? PodName { get; set; }

    [JsonPropertyName("attempts")]
    public int Attempts { get; set; }

    [JsonPropertyName("result")]
    public string? Result { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>When a failed attempt may be retried (back-off); null otherwise.</summary>
    [JsonPropertyName("retryAfter")]
    public DateTime? RetryAfter { get; set; }

    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; set; }

    [JsonPropertyName("completionTime")]
    public DateTime? CompletionTime { get; set; }

    [JsonPropertyName("conditions")]
    public IList<HandoffCondition>? Conditions { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}

public static class FunctionPhases
{
    public const string Waiting = "Waiting";
    public const string Pending = "Pending";
    public const string Scheduled = "Scheduled";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";

    public static bool IsTerminal(string? phase) => phase is Succeeded or Failed;
}

public static class Strategies
{
    public const string FirstAvailable = "FirstAvailable";
    public const string LoadBalanced = "LoadBalanced";
    public const string BestFit = "BestFit";

    public static IReadOnlyList<string> All { get; } = [FirstAvailable, LoadBalanced, BestFit];
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
