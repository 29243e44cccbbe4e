using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>Writes core/v1 Events about Handoff objects (best effort: a failed Event never fails a reconcile).</summary>
public sealed class EventRecorder(IKubernetes client, TimeProvider time, OperatorMetrics metrics, ILogger<EventRecorder> logger)
{
    public const string Component = "handoff-operator";

    public Task RecordAsync(HandoffFunction function, string type, string reason, string message, CancellationToken cancellationToken) =>
        RecordAsync(HandoffApi.FunctionKind, function.Metadata, type, reason, message, cancellationToken);

    /// <summary>An Event about a cluster-scoped object (a HandoffNode) goes to the <c>default</c> namespace, as the API server does for Nodes.</summary>
    public Task RecordAsync(HandoffNode node, string type, string reason, string message, CancellationToken cancellationToken) =>
        RecordAsync(HandoffApi.NodeKind, node.Metadata, type, reason, message, cancellationToken);

    /// <summary>An Event about any Handoff object, by kind and metadata (for objects that could not even be decoded).</summary>
    public async Task RecordAsync(string kind, V1ObjectMeta meta, string type, string reason, string message, CancellationToken cancellationToken, string apiVersion = HandoffApi.ApiVersion)
    {
        var ns = string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
        var now = time.GetUtcNow().UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = meta.Name + ".", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = apiVersion,
                Kind = kind,
                Name = meta.Name,
                NamespaceProperty = meta.NamespaceProperty,
                Uid = meta.Uid,
                ResourceVersion = meta.ResourceVersion,
            },
            Reason = reason,
            Message = message.Length > 1024 ? message[..1024] : message,
            Type = type,
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            ReportingInstance = Environment.MachineName,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.ApiErrors.WithLabels("create-event").Inc();
            Log.EventNotRecorded(logger, ex, reason, kind, meta.Name);
        }
    }
}
