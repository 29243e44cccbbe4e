using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>Writes core/v1 Events about Handoff objects (best effort: a failed Event never fails a reconcile).</summary>
public sealed class EventRecorder(IKubernetes client, TimeProvider time, OperatorMetrics metrics, ILogger<EventRecorder> logger)
{
    public const string Component = "handoff-operator";

    public async Task RecordAsync(
        HandoffFunction function, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var ns = function.Metadata.NamespaceProperty ?? "default";
        var now = time.GetUtcNow().UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = function.Metadata.Name + ".", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = HandoffApi.ApiVersion,
                Kind = HandoffApi.FunctionKind,
                Name = function.Metadata.Name,
                NamespaceProperty = ns,
                Uid = function.Metadata.Uid,
                ResourceVersion = function.Metadata.ResourceVersion,
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
            Log.EventNotRecorded(logger, ex, reason, ns, function.Metadata.Name);
        }
    }
}
