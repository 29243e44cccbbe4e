using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CommunityToolkit.HighPerformance.Buffers;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// What the operator keeps of each watched object (the informers' transforms). The caches hold every HandoffFunction,
/// function pod and Node of the cluster, so fields the reconciler never reads are dropped before they are stored:
/// <c>managedFields</c> and kubectl's last-applied annotation everywhere (on a real API server they are often the
/// larger half of an object), pod specs and statuses beyond binding and outcome, and everything of a Node but its
/// name, <c>unschedulable</c> and Ready condition. Strings that repeat across objects (namespaces, label and
/// annotation keys, node names, phases, condition types and reasons, images, costs) are shared through a bounded
/// <see cref="StringPool"/>: each deserialized object otherwise holds its own copy; equal pod templates, cost maps, specs
/// without args and status conditions are kept once (<see cref="SharedInstances{T}"/>); pods become compact records
/// (<see cref="PodRecord"/>).
/// See docs/performance.md.
/// </summary>
public static partial class CacheTransforms
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>Equal pod templates kept once, across every function cache of the process.</summary>
    public static SharedInstances<V1PodTemplateSpec> Templates { get; } = new(template => KubernetesJson.Serialize(template));

    /// <summary>
    /// Equal quantity maps kept once: functions' <c>spec.cost</c> (the functions of one kind declare one cost) and
    /// HandoffNodes' capacity and status maps (a pool's nodes have one shape, and every idle node of it the same status).
    /// </summary>
    public static SharedInstances<IDictionary<string, string>> QuantityMaps { get; } = new(CostMapText);

    /// <summary>
    /// Equal status conditions kept once: a function's DependenciesReady and Completed conditions (and Scheduled while it
    /// waits) are those of every function that got there in the same second, and a node's Overcommitted condition that of
    /// every node within its capacity. Three a function were 12.8 MB of the heap at 50,000 functions.
    /// </summary>
    public static SharedInstances<HandoffCondition> Conditions { get; } = new(ConditionText);

    /// <summary>
    /// Equal specs of functions without <c>args</c> or <c>extraArgs</c> kept once: the functions of a fan-out, or a
    /// batch of independent work, usually differ in nothing else (their inputs reach them through their args). A spec
    /// with args is one function's; it keeps its own object, its template and cost map still shared.
    /// </summary>
    public static SharedInstances<HandoffFunctionSpec> Specs { get; } = new(spec => KubernetesJson.Serialize(spec));

    public static HandoffFunction Function(HandoffFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        TrimMetadata(function.Metadata);
        function.ApiVersion = Shared(function.ApiVersion)!;
        function.Kind = Shared(function.Kind)!;

        // A spec the decoder shared (FunctionJson) was kept when it was first decoded, and is never changed again.
        if (function.Spec is { } spec && !Specs.IsKept(spec))
        {
            KeepSpec(spec);
        }

        if (function.Status is { } status)
        {
            status.Phase = Shared(status.Phase);
            status.Node = Shared(status.Node);
            status.Conditions = Kept(status.Conditions, static c => c.Type != ConditionTypes.Scheduled || c.Status != ConditionStatus.True);
        }

        return function;
    }

    /// <summary>
    /// How a HandoffFunction is decoded for the cache: its spec through <see cref="Specs"/> and its template through
    /// <see cref="Templates"/>, each by the JSON it arrives in (<see cref="SharedInstanceConverter{T}"/>), so a spec or
    /// template seen before is not decoded again.
    /// </summary>
    public static JsonSerializerOptions FunctionJson { get; } = FunctionOptions();

    private static JsonSerializerOptions FunctionOptions()
    {
        // The template is decoded within its spec: a problem in it is said from the spec, which says it from the root.
        var templates = new JsonSerializerOptions(KubernetesJsonOptions.Value)
        {
            Converters = { new SharedInstanceConverter<V1PodTemplateSpec>(Templates, KubernetesJsonOptions.Value, KeepTemplate, "$.template") },
        };
        return new JsonSerializerOptions(templates)
        {
            Converters = { new SharedInstanceConverter<HandoffFunctionSpec>(Specs, templates, KeepSpec, "$.spec", HasNoArgs) },
        };
    }

    /// <summary>A spec element without <c>args</c> or <c>extraArgs</c> (or with empty ones): one others' may equal.</summary>
    private static bool HasNoArgs(JsonElement spec) =>
        !(spec.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Array && args.GetArrayLength() > 0)
        && !(spec.TryGetProperty("extraArgs", out var extra) && extra.ValueKind == JsonValueKind.Array && extra.GetArrayLength() > 0);

    /// <summary>What is kept of a spec: its strings pooled, its cost map and template the ones kept.</summary>
    private static HandoffFunctionSpec KeepSpec(HandoffFunctionSpec spec)
    {
        // A pooled copy is made only for a cost no cached function holds yet; the others take the one kept.
        spec.Cost = spec.Cost is { Count: > 0 } cost ? QuantityMaps.Share(cost, map => Shared(map)!) : null;
        spec.Strategy = Shared(spec.Strategy);
        spec.Queue = Shared(spec.Queue);
        spec.PriorityClassName = Shared(spec.PriorityClassName);
        spec.PreemptionPolicy = Shared(spec.PreemptionPolicy);
        spec.PodGC = Shared(spec.PodGC);
        if (spec.Template is { } template)
        {
            // One the decoder already shared comes back as it is, without its text.
            spec.Template = Templates.Share(template, KeepTemplate);
        }

        return spec;
    }

    /// <summary>What is kept of a template no cached function shares yet: its container's repeated strings pooled.</summary>
    private static V1PodTemplateSpec KeepTemplate(V1PodTemplateSpec template)
    {
        foreach (var container in template.Spec?.Containers ?? [])
        {
            container.Name = Shared(container.Name);
            container.Image = Shared(container.Image);
            container.ImagePullPolicy = Shared(container.ImagePullPolicy);
            container.Command = Shared(container.Command);
            container.Args = Shared(container.Args);
        }

        return template;
    }

    public static HandoffNode HandoffNode(HandoffNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        TrimMetadata(node.Metadata);
        node.ApiVersion = Shared(node.ApiVersion)!;
        node.Kind = Shared(node.Kind)!;
        if (node.Spec is { } spec)
        {
            spec.Capacity = SharedMap(spec.Capacity)!;
            spec.NodeName = Shared(spec.NodeName);
            spec.CapacityFrom = Shared(spec.CapacityFrom);
        }

        // The status is what the next status write is diffed against: an empty map stays an empty map.
        if (node.Status is { } status)
        {
            status.Capacity = SharedMap(status.Capacity);
            status.External = SharedMap(status.External);
            status.Allocated = SharedMap(status.Allocated);
            status.Available = SharedMap(status.Available);
            status.Conditions = Kept(status.Conditions, static c => c.Type != ConditionTypes.Ready);
        }

        return node;
    }

    public static HandoffQueue Queue(HandoffQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        TrimMetadata(queue.Metadata);
        return queue;
    }

    /// <summary>Keeps the name and the value (all a priorityClassName resolves to).</summary>
    public static V1PriorityClass PriorityClass(V1PriorityClass priorityClass)
    {
        ArgumentNullException.ThrowIfNull(priorityClass);
        return new V1PriorityClass
        {
            ApiVersion = priorityClass.ApiVersion,
            Kind = priorityClass.Kind,
            Metadata = new V1ObjectMeta { Name = priorityClass.Metadata.Name, ResourceVersion = priorityClass.Metadata.ResourceVersion, Uid = priorityClass.Metadata.Uid },
            Value = priorityClass.Value,
            PreemptionPolicy = priorityClass.PreemptionPolicy,
        };
    }

    /// <summary>Keeps the name and the labels (what a HandoffQueue's namespaceSelector matches).</summary>
    public static V1Namespace Namespace(V1Namespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new V1Namespace
        {
            ApiVersion = ns.ApiVersion,
            Kind = ns.Kind,
            Metadata = new V1ObjectMeta { Name = ns.Metadata.Name, ResourceVersion = ns.Metadata.ResourceVersion, Uid = ns.Metadata.Uid, Labels = Shared(ns.Metadata.Labels) },
        };
    }

    /// <summary>
    /// The conditions as an exact array (a list has room for a fourth), their strings pooled, each that
    /// <paramref name="shareable"/> allows kept once among equal ones. Not shared: a condition whose message names the
    /// object (a function's Scheduled=True its pod and node, a node's Ready its Node), one per object, which a pool entry
    /// would only make larger.
    /// </summary>
    private static HandoffCondition[]? Kept(IList<HandoffCondition>? conditions, Func<HandoffCondition, bool> shareable)
    {
        if (conditions is null)
        {
            return null;
        }

        var kept = new HandoffCondition[conditions.Count];
        for (var i = 0; i < kept.Length; i++)
        {
            var condition = conditions[i];
            condition.Type = Shared(condition.Type)!;
            condition.Status = Shared(condition.Status)!;
            condition.Reason = Shared(condition.Reason);
            condition.Message = Shared(condition.Message);
            kept[i] = shareable(condition) ? Conditions.Share(condition) : condition;
        }

        return kept;
    }

    /// <summary>
    /// A condition's fields as text, each string prefixed with its length (a message may hold anything), written into the
    /// pool's buffer: a condition is looked up for every version of every function decoded (a string each was 26 MB of a
    /// 10,000 burst's allocations).
    /// </summary>
    private static void ConditionText(HandoffCondition c, IBufferWriter<char> text)
    {
        foreach (var field in (ReadOnlySpan<string?>)[c.Type, c.Status, c.Reason, c.Message])
        {
            WriteNumber(text, field is null ? -1 : field.Length);
            text.Write([':']);
            text.Write(field.AsSpan());
            text.Write([';']);
        }

        if (c.ObservedGeneration is { } generation)
        {
            WriteNumber(text, generation);
        }
        else
        {
            text.Write(['-']);
        }

        text.Write([';']);
        if (c.LastTransitionTime is { } time)
        {
            WriteNumber(text, time.Ticks);
            text.Write(['.']);
            WriteNumber(text, (int)time.Kind);
        }
        else
        {
            text.Write(['-']);
        }
    }

    private static void WriteNumber(IBufferWriter<char> text, long number)
    {
        var span = text.GetSpan(20);
        number.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        text.Advance(written);
    }

    /// <summary>A decoder's type info reading only the JSON properties <paramref name="read"/> names (none taken off when null).</summary>
    private static void ReadOnly(JsonTypeInfo info, Func<string, bool>? read)
    {
        if (read is null)
        {
            return;
        }

        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (!read(info.Properties[i].Name))
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    private static void TrimMetadata(V1ObjectMeta metadata)
    {
        metadata.ManagedFields = null;
        metadata.NamespaceProperty = Shared(metadata.NamespaceProperty);
        metadata.Annotations?.Remove(LastAppliedAnnotation);
        metadata.Annotations = Shared(metadata.Annotations);
        metadata.Labels = Shared(metadata.Labels);
    }

    /// <summary>A cost map as text, entries in order (names and quantities cannot hold '=' or a newline).</summary>
    private static string CostMapText(IDictionary<string, string> map)
    {
        var names = new string[map.Count];
        map.Keys.CopyTo(names, 0);
        Array.Sort(names, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var name in names)
        {
            text.Append(name).Append('=').Append(map[name]).Append('\n');
        }

        return text.ToString();
    }

    private static string? Shared(string? value) => value is null ? null : StringPool.Shared.GetOrAdd(value);

    private static IList<string>? Shared(IList<string>? values) => values?.Select(v => Shared(v)!).ToList();

    /// <summary>
    /// The one instance kept of maps equal to <paramref name="map"/> (<see cref="QuantityMaps"/>), an empty map kept
    /// empty (null stays null): 5,000 HandoffNodes held four maps each, ~3.5 MB of an idle operator's heap.
    /// </summary>
    private static IDictionary<string, string>? SharedMap(IDictionary<string, string>? map) =>
        map is null ? null : QuantityMaps.Share(map, static copy => SharedKeepingEmpty(copy)!);

    /// <summary>A right-sized copy with shared keys and values, an empty map kept empty (null stays null).</summary>
    private static Dictionary<string, string>? SharedKeepingEmpty(IDictionary<string, string>? map) =>
        map is null ? null : Shared(map) ?? new Dictionary<string, string>(0, StringComparer.Ordinal);

    /// <summary>A right-sized copy with shared keys and values (null for an empty map).</summary>
    private static Dictionary<string, string>? Shared(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return null;
        }

        var copy = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            copy[Shared(key)!] = Shared(value)!;
        }

        return copy;
    }
}
