namespace Handoff.Core.Nodes;

/// <summary>
/// The string form of a label selector, as <c>kubectl -l</c> and <c>--discover-nodes-selector</c> take it:
/// comma-separated requirements <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>,
/// <c>k</c> (exists) and <c>!k</c> (does not exist). The empty string selects everything.
/// </summary>
public static class LabelSelectorParser
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the requirement it cannot read.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return LabelSelector.Everything;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var expressions = new List<LabelSelectorRequirement>();
        foreach (var part in Split(text))
        {
            var p = part.Trim();
            int at;
            if (p.StartsWith('!'))
            {
                expressions.Add(new LabelSelectorRequirement(p[1..].Trim(), SelectorOperator.DoesNotExist, []));
            }
            else if ((at = p.IndexOf("!=", StringComparison.Ordinal)) > 0)
            {
                expressions.Add(new LabelSelectorRequirement(p[..at].Trim(), SelectorOperator.NotIn, [p[(at + 2)..].Trim()]));
            }
            else if ((at = p.IndexOf('=', StringComparison.Ordinal)) > 0)
            {
                labels[p[..at].Trim()] = p[(at + (p.AsSpan(at).StartsWith("==") ? 2 : 1))..].Trim();
            }
            else if ((SetRequirement(p, " notin ", SelectorOperator.NotIn) ?? SetRequirement(p, " in ", SelectorOperator.In)) is { } set)
            {
                expressions.Add(set);
            }
            else if (p.Length > 0 && !p.Contains(' ', StringComparison.Ordinal) && !p.Contains('(', StringComparison.Ordinal))
            {
                expressions.Add(new LabelSelectorRequirement(p, SelectorOperator.Exists, []));
            }
            else
            {
                throw new FormatException($"unable to parse requirement \"{p}\" of label selector \"{text}\"");
            }
        }

        var selector = new LabelSelector(labels, expressions);
        return selector.IsValid ? selector : throw new FormatException($"invalid label selector \"{text}\": {string.Join("; ", selector.Problems)}");
    }

    private static LabelSelectorRequirement? SetRequirement(string part, string word, string op)
    {
        var at = part.IndexOf(word, StringComparison.Ordinal);
        if (at <= 0)
        {
            return null;
        }

        var values = part[(at + word.Length)..].Trim();
        return values.StartsWith('(') && values.EndsWith(')')
            ? new LabelSelectorRequirement(part[..at].Trim(), op, [.. values[1..^1].Split(',').Select(v => v.Trim()).Where(v => v.Length > 0)])
            : null;
    }

    // Commas inside (...) belong to a set.
    private static IEnumerable<string> Split(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
