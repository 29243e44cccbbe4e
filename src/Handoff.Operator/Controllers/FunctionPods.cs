using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Api.Mapping;
using Handoff.Core.Resources;
using Handoff.Core.Workloads;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>Builds function pods and reads their outcome.</summary>
public static class FunctionPods
{
    public const string FunctionEnv = FunctionInputs.FunctionEnv;
    public const string ArgsEnv = FunctionInputs.ArgsEnv;
    public const string ArgEnvPrefix = FunctionInputs.ArgEnvPrefix;

    public static string PodName(string function, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{function}-{attempt}");

    /// <summary>
    /// The name of the next pod of <paramref name="function"/> for <paramref name="attempt"/>: <c>function-attempt</c>, or
    /// <c>function-attempt-2</c>, <c>-3</c>… when that name is taken (a re-placement of the same attempt after a kubelet
    /// rejection or a preemption, or an orphaned pod of an earlier function of the same name). Deterministic for one
    /// view of the pods, so a create that already happened answers 409 AlreadyExists with our own pod.
    /// </summary>
    public static string NextPodName(string @namespace, string function, int attempt, Func<string, bool> taken)
    {
        var name = PodName(function, attempt);
        for (var k = 2; taken(Core.ObjectKeys.Of(@namespace, name)); k++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{function}-{attempt}-{k}");
        }

        return name;
    }

    /// <summary>What the lifecycle needs of a function pod.</summary>
    public static AttemptPod ToAttemptPod(V1Pod pod, string? handoffNode)
    {
        var terminated = FirstContainerTerminated(pod);
        return new AttemptPod(pod.Metadata.Name, AttemptOf(pod))
        {
            Node = handoffNode ?? HandoffNodeOf(pod),
            Bound = IsBound(pod),
            Phase = pod.Status?.Phase switch
            {
                "Running" => PodPhase.Running,
                "Succeeded" => PodPhase.Succeeded,
                "Failed" => PodPhase.Failed,
                "Unknown" => PodPhase.Unknown,
                _ => PodPhase.Pending,
            },
            Terminating = pod.Metadata.DeletionTimestamp is not null,
            Reason = pod.Status?.Reason,
            Message = FailureDetail(pod, terminated),
            Result = Result(pod),
            Created = pod.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : DateTimeOffset.MinValue,
            FinishedAt = terminated?.FinishedAt is { } finished ? new DateTimeOffset(DateTime.SpecifyKind(finished, DateTimeKind.Utc)) : null,
        };
    }

    /// <summary>The attempt number from the pod's label, or 0 when missing or malformed.</summary>
    public static int AttemptOf(V1Pod pod) =>
        pod.Metadata.Labels?.TryGetValue(HandoffApi.AttemptLabel, out var v) == true &&
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static bool IsBound(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    /// <summary>The HandoffNode the pod's capacity is held on (annotation).</summary>
    public static string? HandoffNodeOf(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(HandoffApi.HandoffNodeAnnotation, out var n) == true ? n : null;

    /// <summary>
    /// The pod <paramref name="podName"/> for <paramref name="attempt"/> of <paramref name="function"/> on
    /// <paramref name="handoffNode"/>: the template with Handoff's labels, the node and cost annotations, controller
    /// reference, schedulerName, restartPolicy Never and the HANDOFF_* environment in every container; nodeName is
    /// cleared (the pod is bound afterwards). The pod claims what it costs: its first container's requests are raised
    /// to the effective cost for every Kubernetes compute resource, with limits equal to requests for extended
    /// resources (<see cref="PodResourcePatch"/>); Handoff-only resource names never reach the pod.
    /// </summary>
    public static V1Pod Build(
        HandoffFunction function, MappedFunction mapped, string podName, int attempt, string handoffNode, string schedulerName, IReadOnlyList<string> args) =>
        Build(function, mapped, podName, attempt, handoffNode, schedulerName, FunctionInputs.Assemble([], args));

    /// <inheritdoc cref="Build(HandoffFunction, MappedFunction, string, int, string, string, IReadOnlyList{string})"/>
    public static V1Pod Build(
        HandoffFunction function, MappedFunction mapped, string podName, int attempt, string handoffNode, string schedulerName, FunctionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var args = inputs.Values;
        var cost = mapped.Placement.Cost;
        var template = CopyOf(function.Spec.Template ?? new V1PodTemplateSpec());
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
            [HandoffApi.CostAnnotation] = JsonSerializer.Serialize(cost.ToDictionary()),
        };
        foreach (var (key, value) in function.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            // The sandbox's simulated kubelet reads its knobs (and handoff.dev/duration, which plan reads too) from
            // the pod; let them be set on the function.
            if (key.StartsWith("handoff.dev/sandbox-", StringComparison.Ordinal) || key == HandoffApi.DurationAnnotation)
            {
                annotations.TryAdd(key, value);
            }
        }

        var spec = template.Spec ?? new V1PodSpec();
        spec.Containers ??= [];
        if (spec.Containers.Count > 0 && mapped.PodResources.Containers.Count > 0)
        {
            Claim(spec, PodResourcePatch.For(cost, mapped.PodResources));
        }

        spec.NodeName = null;
        spec.SchedulerName = schedulerName;
        spec.RestartPolicy = "Never";
        var env = new List<V1EnvVar>
        {
            new() { Name = FunctionEnv, Value = name },
            new() { Name = ArgsEnv, Value = inputs.Json },
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
                Name = podName,
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

    // The JSON of each kept template (never modified: CacheTransforms.Templates), written once: a pod is built from a copy
    // decoded from it, so a burst of one template's functions does not write the template out again for every pod.
    private static readonly ConditionalWeakTable<V1PodTemplateSpec, byte[]> KeptTemplateJson = [];

    private static V1PodTemplateSpec CopyOf(V1PodTemplateSpec template)
    {
        var json = CacheTransforms.Templates.IsKept(template)
            ? KeptTemplateJson.GetValue(template, static t => JsonSerializer.SerializeToUtf8Bytes(t, KubernetesJsonOptions.Value))
            : JsonSerializer.SerializeToUtf8Bytes(template, KubernetesJsonOptions.Value);
        return JsonSerializer.Deserialize<V1PodTemplateSpec>(json, KubernetesJsonOptions.Value)!;
    }

    /// <summary>Sets the patch's entries on the pod spec (the first container, and pod-level resources).</summary>
    private static void Claim(V1PodSpec spec, PodResourcePatch patch)
    {
        if (patch.IsEmpty)
        {
            return;
        }

        var first = spec.Containers[0];
        first.Resources ??= new V1ResourceRequirements();
        first.Resources.Requests = Set(first.Resources.Requests, patch.FirstContainerRequests);
        first.Resources.Limits = Set(first.Resources.Limits, patch.FirstContainerLimits);
        if (patch.PodLevelRequests.Count > 0 || patch.PodLevelLimits.Count > 0)
        {
            spec.Resources ??= new V1ResourceRequirements();
            spec.Resources.Requests = Set(spec.Resources.Requests, patch.PodLevelRequests);
            spec.Resources.Limits = Set(spec.Resources.Limits, patch.PodLevelLimits);
        }
    }

    private static IDictionary<string, ResourceQuantity>? Set(IDictionary<string, ResourceQuantity>? current, ResourceList entries)
    {
        if (entries.Count == 0)
        {
            return current;
        }

        var result = new Dictionary<string, ResourceQuantity>(current ?? new Dictionary<string, ResourceQuantity>(), StringComparer.Ordinal);
        foreach (var (name, quantity) in entries.ToDictionary())
        {
            result[name] = new ResourceQuantity(quantity);
        }

        return result;
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

    /// <summary>Why a pod ended: <c>exit code 1, Error, the pod's status message</c>; null when nothing is known.</summary>
    private static string? FailureDetail(V1Pod pod, V1ContainerStateTerminated? terminated)
    {
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

        return parts.Count > 0 ? string.Join(", ", parts) : null;
    }

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
