using System.Globalization;
using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>
/// PriorityClasses and the Priority admission plugin as the API server has them: the two system classes it creates at
/// start, a class's defaults and validation, and a pod's priority resolved from its class on create (the global
/// default class, or 0 and <c>PreemptLowerPriority</c>, when it names none; 403 when it names a class that does not
/// exist or gives a priority or preemption policy other than its class's).
/// </summary>
internal static class PriorityRules
{
    public const string Group = "scheduling.k8s.io";

    public const string Plural = "priorityclasses";

    public const string PreemptLowerPriority = "PreemptLowerPriority";

    /// <summary>The highest value a class not named <c>system-</c> may have.</summary>
    public const long HighestUserDefinable = 1_000_000_000;

    private const string SystemPrefix = "system-";

    /// <summary>The classes the API server creates at start (name, value, description).</summary>
    public static readonly IReadOnlyList<(string Name, int Value, string Description)> SystemClasses =
    [
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    public static bool IsPriorityClass(ResourceType t) => t.Group == Group && t.Plural == Plural;

    public static JsonObject SystemClass(string name, int value, string description) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["value"] = value,
        ["description"] = description,
        ["preemptionPolicy"] = PreemptLowerPriority,
    };

    /// <summary>A class's defaults, on create and update (its decoding's, in the API server).</summary>
    public static void DefaultClass(JsonObject priorityClass) => priorityClass["preemptionPolicy"] ??= PreemptLowerPriority;

    /// <summary>A class's own validation: reserved names, the user-definable range, and what an update may not change.</summary>
    public static void ValidateClass(JsonObject priorityClass, JsonObject? old, List<FieldCause> causes)
    {
        var name = JsonNodes.ScalarText(JsonNodes.At(priorityClass, "metadata", "name"));
        var value = JsonNodes.Int64(priorityClass["value"]) ?? 0;
        if (old is not null)
        {
            if (value != (JsonNodes.Int64(old["value"]) ?? 0))
            {
                causes.Add(FieldCause.Forbidden("value", "may not be changed in an update."));
            }

            var policy = JsonNodes.GetString(priorityClass, "preemptionPolicy");
            if (policy != JsonNodes.GetString(old, "preemptionPolicy"))
            {
                causes.Add(FieldCause.Invalid("preemptionPolicy", FieldCause.Quote(policy ?? ""), "field is immutable"));
            }

            return;
        }

        if (name.StartsWith(SystemPrefix, StringComparison.Ordinal))
        {
            if (!SystemClasses.Any(s => s.Name == name && s.Value == value) || JsonNodes.IsTrue(priorityClass["globalDefault"]))
            {
                causes.Add(FieldCause.Forbidden("metadata.name", $"priority class names with '{SystemPrefix}' prefix are reserved for system use only. error: {name} is not a known system priority class"));
            }
        }
        else if (value > HighestUserDefinable)
        {
            causes.Add(FieldCause.Forbidden("value", $"maximum allowed value of a user defined priority is {HighestUserDefinable.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    /// <summary>
    /// The Priority admission plugin on a class's create or update: only one class may be the global default. 403 when
    /// another already is.
    /// </summary>
    public static void AdmitClass(JsonObject priorityClass, ResourceCollection classes)
    {
        if (!JsonNodes.IsTrue(priorityClass["globalDefault"]))
        {
            return;
        }

        var name = JsonNodes.ScalarText(JsonNodes.At(priorityClass, "metadata", "name"));
        if (classes.Snapshot().FirstOrDefault(c => c.Name != name && IsGlobalDefault(c)) is { } other)
        {
            throw Forbidden(Plural + "." + Group, name, $"PriorityClass {other.Name} is already marked as default. Only one default can exist");
        }
    }

    /// <summary>
    /// The Priority admission plugin on a pod's create: its class's value and preemption policy written into its spec
    /// (the global default class's, with its name, when it names none; 0 and <c>PreemptLowerPriority</c> when there is
    /// none). A priority or a preemption policy the pod gives that differs from the class's is refused, as is a class
    /// that does not exist.
    /// </summary>
    public static void AdmitPod(JsonObject pod, string name, ResourceCollection classes)
    {
        var spec = pod["spec"] as JsonObject ?? [];
        pod["spec"] = spec;
        var className = JsonNodes.GetString(spec, "priorityClassName");
        JsonObject? resolved;
        if (string.IsNullOrEmpty(className))
        {
            // Several defaults can exist only after a race between two creates: the lowest value wins, as in the plugin.
            resolved = classes.Snapshot().Where(IsGlobalDefault).MinBy(c => JsonNodes.Int64(c.Node["value"]) ?? 0)?.Node;
            if (resolved is not null)
            {
                spec["priorityClassName"] = JsonNodes.ScalarText(JsonNodes.At(resolved, "metadata", "name"));
            }
        }
        else
        {
            resolved = classes.Get(ResourceCollection.KeyOf(null, className))?.Node ?? throw Forbidden("pods", name, $"no PriorityClass with name {className} was found");
        }

        var priority = resolved is null ? 0 : JsonNodes.Int64(resolved["value"]) ?? 0;
        if (JsonNodes.Int64(spec["priority"]) is { } given && given != priority)
        {
            throw Forbidden("pods", name, $"the integer value of priority ({given.ToString(CultureInfo.InvariantCulture)}) must not be provided in pod spec; priority admission controller computed {priority.ToString(CultureInfo.InvariantCulture)} from the given PriorityClass name");
        }

        spec["priority"] = priority;
        var policy = resolved is null ? PreemptLowerPriority : JsonNodes.GetString(resolved, "preemptionPolicy");
        if (policy is null)
        {
            return;
        }

        if (JsonNodes.GetString(spec, "preemptionPolicy") is { } givenPolicy && givenPolicy != policy)
        {
            throw Forbidden("pods", name, $"the string value of PreemptionPolicy ({givenPolicy}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
        }

        spec["preemptionPolicy"] = policy;
    }

    private static bool IsGlobalDefault(StoredObject c) => JsonNodes.IsTrue(c.Node["globalDefault"]);

    // As admission.NewForbidden words it: `pods "p" is forbidden: …`.
    private static ApiException Forbidden(string resource, string name, string reason)
    {
        var dot = resource.IndexOf('.', StringComparison.Ordinal);
        return ApiException.Forbidden($"{resource} \"{name}\" is forbidden: {reason}", new JsonObject
        {
            ["name"] = name,
            ["group"] = dot < 0 ? "" : resource[(dot + 1)..],
            ["kind"] = dot < 0 ? resource : resource[..dot],
        });
    }
}
