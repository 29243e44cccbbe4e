using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Controllers;

/// <summary>
/// Writes core/v1 Events as client-go's recorder does (name <c>&lt;object&gt;.&lt;hex time&gt;</c>, source, first and last
/// timestamps, count 1), for the emulator's components: the scheduler, the Job controller, the kubelet.
/// </summary>
internal sealed class EventRecorder(ApiEngine engine, string component)
{
    private readonly ResourceType _events = engine.Builtin("", "events");
    private long _sequence;

    /// <summary>Records an event about <paramref name="obj"/> (<paramref name="host"/>: the node, for the kubelet).</summary>
    public void Record(StoredObject obj, string apiVersion, string kind, string type, string reason, string message, string? host = null)
    {
        var now = engine.Time.GetUtcNow();
        var timestamp = KubeTime.Timestamp(now);
        var suffix = (now.UtcTicks * 100 + Interlocked.Increment(ref _sequence) % 100).ToString("x", CultureInfo.InvariantCulture);
        var source = new JsonObject { ["component"] = component };
        if (host is not null)
        {
            source["host"] = host;
        }

        var ev = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = $"{obj.Name}.{suffix}", ["namespace"] = obj.Namespace },
            ["involvedObject"] = new JsonObject
            {
                ["kind"] = kind,
                ["namespace"] = obj.Namespace,
                ["name"] = obj.Name,
                ["uid"] = obj.Uid,
                ["apiVersion"] = apiVersion,
                ["resourceVersion"] = obj.ResourceVersion.ToString(CultureInfo.InvariantCulture),
            },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = source,
            ["firstTimestamp"] = timestamp,
            ["lastTimestamp"] = timestamp,
            ["count"] = 1,
            ["type"] = type,
            ["eventTime"] = null,
            ["reportingComponent"] = component,
            ["reportingInstance"] = host ?? component,
        };
        try
        {
            engine.Create(_events, obj.Namespace, ev, WriteOptions.Internal, []);
        }
        catch (ApiException)
        {
            // Events are best effort, as in client-go (e.g. the namespace is terminating).
        }
    }
}
