using System.Text.RegularExpressions;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Allocation;
using Handoff.Core.Resources;
using Handoff.Core.Workloads;
using k8s.Models;

namespace Handoff.Api.Mapping;

/// <summary>
/// A HandoffFunction converted to Handoff.Core inputs. <see cref="Id"/> is <c>namespace/name</c> (the DAG id);
/// <see cref="Args"/> and <see cref="Placement"/>'s <c>CollocateWith</c> are ids resolved in the function's namespace.
/// </summary>
public sealed record MappedFunction(
    string Namespace,
    string Name,
    PlacementRequest Placement,
    AllocationStrategy Strategy,
    IReadOnlyList<string> Args,
    IReadOnlyList<string> ExtraArgs,
    int MaxRetries)
{
    public string Id => Placement.Id;

    /// <summary>The strategy named in the manifest; null when it names none (the default applies).</summary>
    public AllocationStrategy? ExplicitStrategy { get; init; }

    /// <summary>The <c>spec.cost</c> as written; <see cref="Placement"/>'s cost is the effective cost (cost completed by the template's requests).</summary>
    public ResourceList DeclaredCost { get; init; } = ResourceList.Empty;

    /// <summary>What the pod template requests and limits (the pod is raised to the effective cost from this).</summary>
    public PodResources PodResources { get; init; } = new() { Containers = [] };

    /// <summary>Its queue, priority, gang and preemption policy (<see cref="QueueMapper.TraitsOf(HandoffFunction)"/>).</summary>
    public Core.Scheduling.SchedulingTraits Traits { get; init; } = Core.Scheduling.SchedulingTraits.None;
}

/// <summary>
/// Converts <see cref="HandoffNode"/> and <see cref="HandoffFunction"/> objects to Handoff.Core inputs, validating
/// what the CRD schema would (and what it cannot: quantities are parsed exactly). Errors are
/// <see cref="ManifestValidationException"/>s naming the object and the field.
/// </summary>
public static partial class HandoffMapper
{
    /// <summary>The namespace of a function whose manifest names none (as <c>kubectl apply</c> with the default context).</summary>
    public const string DefaultNamespace = "default";

    /// <summary>The id of a function: <c>namespace/name</c>.</summary>
    public static string FunctionId(string @namespace, string name) => ObjectKeys.Of(@namespace, name);

    /// <summary><c>HandoffNode gpu-1</c>.</summary>
    public static string Describe(HandoffNode node) => $"{HandoffApi.NodeKind} {NameOrPlaceholder(node.Metadata?.Name)}";

    /// <summary><c>HandoffFunction default/transform</c>.</summary>
    public static string Describe(HandoffFunction function) =>
        $"{HandoffApi.FunctionKind} {NamespaceOf(function)}/{NameOrPlaceholder(function.Metadata?.Name)}";

    private static string NameOrPlaceholder(string? name) => string.IsNullOrEmpty(name) ? "<unnamed>" : name;

    /// <summary>The function's namespace, <see cref="DefaultNamespace"/> when empty.</summary>
    public static string NamespaceOf(HandoffFunction function) =>
        string.IsNullOrEmpty(function.Metadata?.NamespaceProperty) ? DefaultNamespace : function.Metadata.NamespaceProperty;

    /// <summary>Parses a resource map field; errors name the object, the field and the resource.</summary>
    public static ResourceList ParseResources(string objectReference, string field, IDictionary<string, string>? quantities)
    {
        if (quantities is null)
        {
            return ResourceList.Empty;
        }

        foreach (var (name, value) in quantities)
        {
            try
            {
                ResourceList.ValidateName(name);
            }
            catch (ResourceValidationException e)
            {
                throw new ManifestValidationException(objectReference, $"{field}[{name}]", e.Message);
            }

            try
            {
                ResourceList.ParseQuantity(name, value);
            }
            catch (ResourceValidationException e)
            {
                var problem = e.Message.StartsWith(name + ": ", StringComparison.Ordinal) ? e.Message[(name.Length + 2)..] : e.Message;
                throw new ManifestValidationException(objectReference, $"{field}[{name}]", problem);
            }
        }

        return ResourceList.Parse(quantities);
    }

    /// <summary>
    /// Converts a HandoffNode, given its Kubernetes Node when known. With <c>capacityFrom: Node</c> the capacity is the
    /// Node's allocatable, each <c>spec.capacity</c> entry adding to it or replacing the discovered one, every pod placed
    /// there takes one <c>pods</c>, and the Node's taints apply; with <c>None</c> (the default) the capacity is
    /// <c>spec.capacity</c> alone. A cordon of either object makes the node unschedulable. <paramref name="ready"/> is
    /// whether the Node is Ready (the planner passes true).
    /// </summary>
    public static NodeInfo ToNodeInfo(HandoffNode node, V1Node? kubernetesNode = null, bool ready = true)
    {
        ArgumentNullException.ThrowIfNull(node);
        var what = Describe(node);
        var name = node.Metadata?.Name;
        ValidateName(what, "metadata.name", name, subdomain: true);
        var spec = node.Spec ?? throw new ManifestValidationException(what, "spec", "Required value");
        var fromNode = spec.CapacityFrom == CapacitySources.Node;
        if (!fromNode && (spec.Capacity is null || spec.Capacity.Count == 0))
        {
            throw new ManifestValidationException(what, "spec.capacity", "Required value: at least one resource (or capacityFrom: Node)");
        }

        if (spec.CapacityFrom is not null and not CapacitySources.None and not CapacitySources.Node)
        {
            throw new ManifestValidationException(what, "spec.capacityFrom",
                $"Unsupported value: \"{spec.CapacityFrom}\": supported values: \"{CapacitySources.None}\", \"{CapacitySources.Node}\"");
        }

        if (spec.NodeName is not null)
        {
            ValidateName(what, "spec.nodeName", spec.NodeName, subdomain: true);
        }

        var declared = ParseResources(what, "spec.capacity", spec.Capacity);
        var capacity = fromNode && kubernetesNode is not null
            ? KubernetesMapper.AllocatableOf(kubernetesNode).SetEntries(declared)
            : declared;
        return new NodeInfo(name!, capacity)
        {
            Labels = LabelMaps.Of(node.Metadata!.Labels),
            Unschedulable = spec.Unschedulable || kubernetesNode?.Spec?.Unschedulable == true,
            Ready = ready,
            CountsPods = fromNode,
            Taints = KubernetesMapper.TaintsOf(kubernetesNode),
            KubernetesNode = kubernetesNode is null ? null : KubernetesMapper.LabeledNodeOf(kubernetesNode),
        };
    }

    /// <summary>The Kubernetes node a HandoffNode's functions are bound to: <c>spec.nodeName</c>, else its name.</summary>
    public static string KubernetesNodeName(HandoffNode node) =>
        string.IsNullOrEmpty(node.Spec?.NodeName) ? node.Metadata.Name : node.Spec.NodeName;

    /// <summary>
    /// Converts a HandoffFunction. <paramref name="defaultStrategy"/> applies when <c>spec.strategy</c> is empty;
    /// <paramref name="shared"/>, when given, reads each pod template and cost map instance once (the operator's memo);
    /// <paramref name="id"/>, when it spells the function's id (<see cref="FunctionId"/>), is taken as it (the string
    /// a caller keys the function by already, instead of a copy).
    /// </summary>
    public static MappedFunction ToFunction(
        HandoffFunction function, AllocationStrategy defaultStrategy = AllocationStrategy.FirstAvailable, SharedSpecMemo? shared = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var what = Describe(function);
        var name = function.Metadata?.Name;
        ValidateName(what, "metadata.name", name, subdomain: true);
        var ns = NamespaceOf(function);
        ValidateName(what, "metadata.namespace", ns, subdomain: false);
        var spec = function.Spec ?? new HandoffFunctionSpec();
        var declared = shared is null ? ParseResources(what, "spec.cost", spec.Cost) : shared.CostOf(what, spec.Cost);
        var podSpec = spec.Template?.Spec;
        var terms = shared is null ? TemplateTerms.Of(what, podSpec) : shared.TermsOf(what, podSpec);
        var cost = terms.EffectiveCostOf(declared);

        // Exactly sized, and one empty array for the many functions without args (a list and a wrapper each before).
        string[] args = spec.Args is { Count: > 0 } declaredArgs ? new string[declaredArgs.Count] : [];
        for (var i = 0; i < args.Length; i++)
        {
            var arg = spec.Args![i];
            ValidateName(what, $"spec.args[{i}]", arg, subdomain: false);
            args[i] = FunctionId(ns, arg);
        }

        AllocationStrategy? explicitStrategy = null;
        if (!string.IsNullOrEmpty(spec.Strategy))
        {
            if (!Allocators.TryParseStrategy(spec.Strategy, out var parsed))
            {
                throw new ManifestValidationException(what, "spec.strategy",
                    $"Unsupported value: \"{spec.Strategy}\": supported values: {string.Join(", ", Allocators.StrategyNames.Select(s => $"\"{s}\""))}");
            }

            explicitStrategy = parsed;
        }

        if (spec.Node is not null)
        {
            ValidateName(what, "spec.node", spec.Node, subdomain: true);
        }

        if (spec.CollocateWith is not null)
        {
            ValidateName(what, "spec.collocateWith", spec.CollocateWith, subdomain: false);
        }

        var maxRetries = spec.MaxRetries ?? HandoffApi.DefaultMaxRetries;
        if (maxRetries < 0)
        {
            throw new ManifestValidationException(what, "spec.maxRetries", $"Invalid value: {maxRetries}: must be greater than or equal to 0");
        }

        var functionId = FunctionId(ns, name!);
        var placement = new PlacementRequest(id == functionId ? id : functionId, cost)
        {
            NodeSelector = spec.NodeSelector is { Count: > 0 } selector ? new Dictionary<string, string>(selector, StringComparer.Ordinal) : null,
            Node = spec.Node,
            CollocateWith = spec.CollocateWith is null ? null : FunctionId(ns, spec.CollocateWith),
            Tolerations = terms.Tolerations,
            Affinity = terms.Affinity,
        };
        return new MappedFunction(ns, name!, placement, explicitStrategy ?? defaultStrategy, args, spec.ExtraArgs is { Count: > 0 } extra ? [.. extra] : [], maxRetries)
        {
            ExplicitStrategy = explicitStrategy,
            DeclaredCost = declared,
            PodResources = terms.Resources,
            Traits = QueueMapper.TraitsOf(function),
        };
    }

    private static void ValidateName(string what, string field, string? value, bool subdomain)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ManifestValidationException(what, field, "Required value");
        }

        var ok = subdomain
            ? value.Length <= 253 && Dns1123Subdomain().IsMatch(value)
            : value.Length <= 63 && Dns1123Label().IsMatch(value);
        if (!ok)
        {
            var kind = subdomain
                ? "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (at most 63)";
            throw new ManifestValidationException(what, field, $"Invalid value: \"{value}\": {kind}");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
