using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Handoff.Chart.Tests.Support;

/// <summary>
/// The part of the Prometheus Operator's <c>monitoring.coreos.com/v1</c> ServiceMonitor that the chart writes.
/// KubernetesClient has no model for it; strict deserialization into this one still catches a misspelled field.
/// </summary>
internal sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    public const string Key = "monitoring.coreos.com/v1/ServiceMonitor";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ServiceMonitorSpec Spec { get; set; } = new();
}

internal sealed class ServiceMonitorSpec
{
    [JsonPropertyName("selector")]
    public V1LabelSelector Selector { get; set; } = new();

    [JsonPropertyName("namespaceSelector")]
    public NamespaceSelector? NamespaceSelector { get; set; }

    [JsonPropertyName("endpoints")]
    public IList<Endpoint> Endpoints { get; set; } = [];
}

internal sealed class NamespaceSelector
{
    [JsonPropertyName("matchNames")]
    public IList<string> MatchNames { get; set; } = [];
}

internal sealed class Endpoint
{
    [JsonPropertyName("port")]
    public string? Port { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("scrapeTimeout")]
    public string? ScrapeTimeout { get; set; }

    [JsonPropertyName("scheme")]
    public string? Scheme { get; set; }

    [JsonPropertyName("bearerTokenFile")]
    public string? BearerTokenFile { get; set; }

    [JsonPropertyName("authorization")]
    public SafeAuthorization? Authorization { get; set; }

    [JsonPropertyName("tlsConfig")]
    public TlsConfig? TlsConfig { get; set; }
}

internal sealed class SafeAuthorization
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("credentials")]
    public V1SecretKeySelector? Credentials { get; set; }
}

internal sealed class TlsConfig
{
    [JsonPropertyName("insecureSkipVerify")]
    public bool? InsecureSkipVerify { get; set; }

    [JsonPropertyName("serverName")]
    public string? ServerName { get; set; }

    [JsonPropertyName("ca")]
    public SecretOrConfigMap? Ca { get; set; }
}

internal sealed class SecretOrConfigMap
{
    [JsonPropertyName("secret")]
    public V1SecretKeySelector? Secret { get; set; }
}
