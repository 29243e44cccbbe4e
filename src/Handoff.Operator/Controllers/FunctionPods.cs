using System.Globalization;
using System.Text;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>Builds function pods and reads their outcome.</summary>
public static class FunctionPods
{
    public const string FunctionEnv = "HANDOFF_FUNCTION";
    public const string ArgsEnv = "HANDOFF_ARGS";
    public const string ArgEnvPrefix = "HANDOFF_ARG_";

    public static string PodName(string function, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{function}-{attempt}");

    /// <summary>The attempt number from the pod's label, or 0 when missing or malformed.</summary>
    public static int AttemptOf(V1Pod pod) =>
        pod.Metadata.Labels?.TryGetValue(HandoffApi.AttemptLabel, out var v) == true &&
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    public static bool IsBound(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    /// <summary>The HandoffNode the pod's capacity is held on (annotation).</summary>
    public static string? HandoffNodeOf(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(HandoffApi.HandoffNodeAnnotation, out var n) == true ? n : null;

    /// <summary>
    /// The pod for <paramref name="attempt"/> of <paramref name="function"/> on <paramref name="handoffNode"/>: the
    /// template with Handoff's name, labels, annotation, controller reference, schedulerName, restartPolicy Never
    /// and the HANDOFF_* environment in every container; nodeName is cleared (the pod is bound afterwards).
    /// </summary>
    public static V1Pod Build(
        HandoffFunction function, int attempt, string handoffNode, string schedulerName, IReadOnlyList<string> args)
    {
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(function.Spec.Template ?? new V1PodTemplateSpec()));
        var name = function.Metadata.Name;
        var meta = template.Metadata ?? new V1ObjectMeta();
        var labels = new Dictionary<string, string>(meta.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [HandoffApi.FunctionLabel] = name,
            [HandoffApi.AttemptLabel] = attempt.ToString(CultureInfo.InvariantCulture),
        };
        var annotations = new Dictionary<string, string>(meta.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [HandoffApi.HandoffNodeAnnotation] = handoffNode,
        };
        foreach (var (key, value) in function.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            // The sandbox's simulated kubelet reads its knobs from the pod; let them be set on the function.
            if (key.StartsWith("handoff.dev/sandbox-", StringComparison.Ordinal))
            {
                annotations.TryAdd(key, value);
            }
        }

        var spec = template.Spec ?? new V1PodSpec();
        spec.Containers ??= [];
        spec.NodeName = null;
        spec.SchedulerName = schedulerName;
        spec.RestartPolicy = "Never";
        var env = new List<V1EnvVar>
        {
            new() { Name = FunctionEnv, Value = name },
            new() { Name = ArgsEnv, Value = JsonSerializer.Serialize(args) },
        };
        env.AddRange(args.Select((a, i) => new V1EnvVar { Name = ArgEnvPrefix + i.ToString(CultureInfo.InvariantCulture), Value = a }));
        foreach (var container in spec.Containers)
        {
            var keep = (container.Env ?? []).Where(e => env.TrueForAll(h => h.Name != e.Name));
            container.Env = [.. keep, .. env];
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodName(name, attempt),
                NamespaceProperty = function.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = annotations,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = HandoffApi.ApiVersion,
                        Kind = HandoffApi.FunctionKind,
                        Name = name,
                        Uid = function.Metadata.Uid,
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = spec,
        };
    }

    /// <summary>The first container's termination message, cut to at most 4096 bytes of UTF-8; null when absent.</summary>
    public static string? Result(V1Pod pod)
    {
        var message = FirstContainerTerminated(pod)?.Message;
        if (message is null)
        {
            return null;
        }

        if (Encoding.UTF8.GetByteCount(message) <= HandoffApi.MaxResultBytes)
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var length = HandoffApi.MaxResultBytes;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        return Encoding.UTF8.GetString(bytes, 0, length);
    }

    /// <summary>Why a failed pod failed, for the function's message.</summary>
    public static string FailureMessage(V1Pod pod)
    {
        var terminated = FirstContainerTerminated(pod);
        var parts = new List<string>();
        if (terminated is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"exit code {terminated.ExitCode}"));
            if (!string.IsNullOrEmpty(terminated.Reason))
            {
                parts.Add(terminated.Reason);
            }
        }

        if (!string.IsNullOrEmpty(pod.Status?.Message))
        {
            parts.Add(pod.Status.Message);
        }

        return $"pod {pod.Metadata.Name} failed" + (parts.Count > 0 ? ": " + string.Join(", ", parts) : "");
    }

    public static DateTime? FinishedAt(V1Pod pod) => FirstContainerTerminated(pod)?.FinishedAt;

    public static DateTime? StartedAt(V1Pod pod) => pod.Status?.StartTime;

    private static V1ContainerStateTerminated? FirstContainerTerminated(V1Pod pod)
    {
        var statuses = pod.Status?.ContainerStatuses;
        if (statuses is null || statuses.Count == 0)
        {
            return null;
        }

        var first = pod.Spec?.Containers?.FirstOrDefault()?.Name;
        var status = statuses.FirstOrDefault(s => s.Name == first) ?? statuses[0];
        return status.State?.Terminated ?? status.LastState?.Terminated;
    }
}
