using System.Text.Json.Nodes;

namespace Handoff.Api.Crds;

/// <summary>
/// The schemas of <see cref="CrdShape"/>: written by hand where the C# type would give the wrong schema (a
/// KubernetesClient model is far larger than what a CRD should check) or none (a property with a JSON converter).
/// Each is structural, and bounded so that the API server's CEL cost estimate of the rules stays small.
/// </summary>
public static class CrdShapes
{
    /// <summary>The schema of <paramref name="shape"/>.</summary>
    public static JsonObject Of(CrdShape shape) => shape switch
    {
        CrdShape.QuantityMap => QuantityMap(),
        CrdShape.PositiveQuantity => PositiveQuantity(),
        CrdShape.PodTemplate => PodTemplate(),
        CrdShape.LabelSelector => LabelSelector(),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "no hand-written schema"),
    };

    /// <summary>
    /// Resource name → quantity, as core Kubernetes accepts quantities: a value is an integer (<c>cpu: 8</c>) or a string
    /// matching the quantity pattern (<c>"500m"</c>, <c>"16Gi"</c>), never negative. Names are checked by a CEL rule
    /// (structural schemas have no <c>propertyNames</c>); at most <see cref="CrdPatterns.MaxResources"/> entries.
    /// </summary>
    public static JsonObject QuantityMap() => new()
    {
        ["type"] = "object",
        ["maxProperties"] = CrdPatterns.MaxResources,
        ["additionalProperties"] = Quantity(CrdPatterns.Quantity, minimum: 0),
        ["x-kubernetes-validations"] = new JsonArray(KeyRule(CrdPatterns.ResourceName, CrdPatterns.ResourceNameMessage)),
    };

    /// <summary>A quantity greater than zero, as an integer (at least 1) or a string (<c>"0.5"</c>).</summary>
    public static JsonObject PositiveQuantity() => Quantity(CrdPatterns.PositiveQuantity, minimum: 1);

    /// <summary>
    /// A PodTemplateSpec, as far as a structural schema can check one without inlining the pod's whole schema:
    /// <c>spec.containers</c> is a non-empty list of objects with a DNS-label <c>name</c> and a non-empty <c>image</c>
    /// (the same for <c>initContainers</c>), <c>metadata.labels</c> and <c>annotations</c> are string maps; every other
    /// field is kept as written and checked by the API server when the operator creates the pod.
    /// </summary>
    public static JsonObject PodTemplate() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["description"] = "Metadata of the function's pods: their labels and annotations.",
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
                ["properties"] = new JsonObject
                {
                    ["labels"] = StringMap("Labels of the function's pods (Handoff adds handoff.dev/function and handoff.dev/attempt)."),
                    ["annotations"] = StringMap("Annotations of the function's pods."),
                },
            },
            ["spec"] = new JsonObject
            {
                ["description"] = "A PodSpec. nodeName, schedulerName and restartPolicy are set by Handoff.",
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
                ["required"] = new JsonArray("containers"),
                ["properties"] = new JsonObject
                {
                    ["containers"] = Containers("The function's containers; the first one's termination message is the result.", minItems: 1),
                    ["initContainers"] = Containers("Containers run before the others.", minItems: 0),
                },
            },
        },
    };

    /// <summary>A metav1.LabelSelector; an empty selector matches everything.</summary>
    public static JsonObject LabelSelector() => new()
    {
        ["type"] = "object",
        ["x-kubernetes-map-type"] = "atomic",
        ["properties"] = new JsonObject
        {
            ["matchLabels"] = new JsonObject
            {
                ["description"] = "Labels that must all be present with these values.",
                ["type"] = "object",
                ["maxProperties"] = CrdPatterns.MaxSelectorEntries,
                ["additionalProperties"] = new JsonObject { ["type"] = "string", ["maxLength"] = 63, ["pattern"] = CrdPatterns.LabelValue },
            },
            ["matchExpressions"] = new JsonObject
            {
                ["description"] = "Requirements that must all hold.",
                ["type"] = "array",
                ["maxItems"] = CrdPatterns.MaxSelectorEntries,
                ["x-kubernetes-list-type"] = "atomic",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["required"] = new JsonArray("key", "operator"),
                    ["properties"] = new JsonObject
                    {
                        ["key"] = new JsonObject { ["description"] = "The label key.", ["type"] = "string", ["maxLength"] = CrdPatterns.MaxQualifiedNameLength, ["pattern"] = CrdPatterns.QualifiedName },
                        ["operator"] = new JsonObject { ["description"] = "In, NotIn, Exists or DoesNotExist.", ["type"] = "string", ["enum"] = new JsonArray("In", "NotIn", "Exists", "DoesNotExist") },
                        ["values"] = new JsonObject
                        {
                            ["description"] = "The values for In and NotIn; empty for Exists and DoesNotExist.",
                            ["type"] = "array",
                            ["maxItems"] = 64,
                            ["x-kubernetes-list-type"] = "atomic",
                            ["items"] = new JsonObject { ["type"] = "string", ["maxLength"] = 63, ["pattern"] = CrdPatterns.LabelValue },
                        },
                    },
                },
            },
        },
    };

    private static JsonObject Quantity(string pattern, long minimum) => new()
    {
        ["x-kubernetes-int-or-string"] = true,
        ["pattern"] = pattern,
        ["maxLength"] = CrdPatterns.MaxQuantityLength,
        ["minimum"] = minimum,
    };

    private static JsonObject StringMap(string description) => new()
    {
        ["description"] = description,
        ["type"] = "object",
        ["additionalProperties"] = new JsonObject { ["type"] = "string" },
    };

    private static JsonObject Containers(string description, int minItems)
    {
        var containers = new JsonObject
        {
            ["description"] = description,
            ["type"] = "array",
            ["items"] = new JsonObject
            {
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
                ["required"] = new JsonArray("name", "image"),
                ["properties"] = new JsonObject
                {
                    ["name"] = new JsonObject { ["description"] = "A DNS label, unique in the pod.", ["type"] = "string", ["maxLength"] = 63, ["pattern"] = CrdPatterns.Dns1123Label },
                    ["image"] = new JsonObject { ["description"] = "The container image.", ["type"] = "string", ["minLength"] = 1 },
                },
            },
        };
        if (minItems > 0)
        {
            containers["minItems"] = minItems;
        }

        return containers;
    }

    /// <summary><c>self.all(k, k.matches('...'))</c>: every key of a map matches <paramref name="pattern"/>.</summary>
    internal static JsonObject KeyRule(string pattern, string message)
    {
        if (pattern.Contains('\'', StringComparison.Ordinal))
        {
            throw new ArgumentException("A key pattern cannot contain a single quote.", nameof(pattern));
        }

        // CEL string literal: a single-quoted string in which backslashes are escapes.
        var literal = pattern.Replace("\\", "\\\\", StringComparison.Ordinal);
        return new JsonObject { ["rule"] = $"self.all(k, k.matches('{literal}'))", ["message"] = message };
    }
}
