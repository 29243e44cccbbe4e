namespace Handoff.Core.Nodes;

/// <summary>
/// One requirement on labels, as k8s.io/apimachinery labels.Requirement parses (NewRequirement) and matches it;
/// shared by label selectors and node selectors.
/// </summary>
internal static class LabelRequirement
{
    /// <summary>Why labels.NewRequirement would reject the requirement, or null when it is valid.</summary>
    public static string? Problem(string key, string op, IReadOnlyList<string> values, bool numericOperators)
    {
        if (!KubernetesNames.IsQualifiedName(key))
        {
            return $"key \"{key}\" is not a qualified name (an optional DNS-subdomain prefix and '/', then at most 63 letters, " +
                "digits, '-', '_' or '.', starting and ending with a letter or digit)";
        }

        switch (op)
        {
            case SelectorOperator.In or SelectorOperator.NotIn when values.Count == 0:
                return $"{key}: values must be non-empty for {op}";
            case SelectorOperator.In or SelectorOperator.NotIn:
                break;
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist when values.Count != 0:
                return $"{key}: values must be empty for {op}";
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist:
                break;
            case SelectorOperator.Gt or SelectorOperator.Lt when numericOperators:
                if (values.Count != 1)
                {
                    return $"{key}: exactly one value is required for {op}";
                }

                if (!KubernetesNames.TryParseInt64(values[0], out _))
                {
                    return $"{key}: the value of {op} must be an integer, not \"{values[0]}\"";
                }

                break;
            default:
                var supported = numericOperators ? "In, NotIn, Exists, DoesNotExist, Gt, Lt" : "In, NotIn, Exists, DoesNotExist";
                return $"{key}: operator \"{op}\" is not supported ({supported})";
        }

        foreach (var value in values)
        {
            if (!KubernetesNames.IsLabelValue(value))
            {
                return $"{key}: value \"{value}\" is not a label value (at most 63 letters, digits, '-', '_' or '.', " +
                    "starting and ending with a letter or digit)";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="labels"/> satisfy a valid requirement (labels.Requirement.Matches).</summary>
    public static bool Matches(string key, string op, IReadOnlyList<string> values, IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(key, out var label);
        return op switch
        {
            SelectorOperator.In => has && Contains(values, label!),
            SelectorOperator.NotIn => !has || !Contains(values, label!),
            SelectorOperator.Exists => has,
            SelectorOperator.DoesNotExist => !has,
            SelectorOperator.Gt or SelectorOperator.Lt => has && CompareNumbers(op, label!, values),
            _ => false,
        };
    }

    private static bool Contains(IReadOnlyList<string> values, string label)
    {
        foreach (var value in values)
        {
            if (string.Equals(value, label, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // A label that is not an integer never matches.
    private static bool CompareNumbers(string op, string label, IReadOnlyList<string> values) =>
        values.Count == 1
        && KubernetesNames.TryParseInt64(label, out var labelNumber)
        && KubernetesNames.TryParseInt64(values[0], out var bound)
        && (op == SelectorOperator.Gt ? labelNumber > bound : labelNumber < bound);
}
