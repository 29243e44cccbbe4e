using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>A parsed label selector (equality- and set-based), as in <c>?labelSelector=</c>.</summary>
internal sealed class LabelSelector
{
    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    private enum Op
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Op Op, IReadOnlyList<string> Values);

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var p = part.Trim();
            if (p.Length == 0)
            {
                continue;
            }

            requirements.Add(ParseRequirement(p, text));
        }

        return new LabelSelector(requirements);
    }

    private static Requirement ParseRequirement(string p, string whole)
    {
        if (p.StartsWith('!'))
        {
            return new Requirement(CheckKey(p[1..].Trim(), whole), Op.DoesNotExist, []);
        }

        var notIn = p.IndexOf(" notin ", StringComparison.Ordinal);
        var inIdx = p.IndexOf(" in ", StringComparison.Ordinal);
        if (notIn > 0 || inIdx > 0)
        {
            var isNot = notIn > 0;
            var idx = isNot ? notIn : inIdx;
            var key = CheckKey(p[..idx].Trim(), whole);
            var rest = p[(idx + (isNot ? 7 : 4))..].Trim();
            if (!rest.StartsWith('(') || !rest.EndsWith(')'))
            {
                throw ApiException.BadRequest($"unable to parse requirement: found '{rest}', expected: '('");
            }

            var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new Requirement(key, isNot ? Op.NotIn : Op.In, values);
        }

        var ne = p.IndexOf("!=", StringComparison.Ordinal);
        if (ne > 0)
        {
            return new Requirement(CheckKey(p[..ne].Trim(), whole), Op.NotEquals, [p[(ne + 2)..].Trim()]);
        }

        var eq = p.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0)
        {
            var value = p[(eq + 1)..];
            if (value.StartsWith('='))
            {
                value = value[1..];
            }

            return new Requirement(CheckKey(p[..eq].Trim(), whole), Op.Equals, [value.Trim()]);
        }

        return new Requirement(CheckKey(p, whole), Op.Exists, []);
    }

    private static string CheckKey(string key, string whole)
    {
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or '!' or ','))
        {
            throw ApiException.BadRequest($"unable to parse requirement: invalid label key \"{key}\" in selector \"{whole}\"");
        }

        return key;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    public bool Matches(JsonObject? labels)
    {
        foreach (var r in _requirements)
        {
            var has = labels is not null && labels.ContainsKey(r.Key);
            var value = has ? Jn.ScalarText(labels![r.Key]) : null;
            var ok = r.Op switch
            {
                Op.Equals => has && value == r.Values[0],
                Op.NotEquals => !has || value != r.Values[0],
                Op.In => has && r.Values.Contains(value),
                Op.NotIn => !has || !r.Values.Contains(value),
                Op.Exists => has,
                Op.DoesNotExist => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A parsed field selector (<c>=</c>, <c>==</c>, <c>!=</c>) checked against the fields a resource supports.</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, string Value, bool Negated)> _terms;

    private FieldSelector(List<(string, string, bool)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The value a term requires for <paramref name="field"/> (e.g. metadata.name for a single-object watch).</summary>
    public string? RequiredValue(string field) => _terms.FirstOrDefault(t => t.Field == field && !t.Negated).Value;

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string, string, bool)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            string field;
            string value;
            var negated = false;
            var ne = part.IndexOf("!=", StringComparison.Ordinal);
            if (ne > 0)
            {
                field = part[..ne];
                value = part[(ne + 2)..];
                negated = true;
            }
            else
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
                }

                field = part[..eq];
                value = part[(eq + 1)..];
                if (value.StartsWith('='))
                {
                    value = value[1..];
                }
            }

            field = field.Trim();
            if (!Supported(type, field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, value.Trim(), negated));
        }

        return new FieldSelector(terms);
    }

    private static bool Supported(ResourceType type, string field) =>
        field is "metadata.name" or "metadata.namespace" || type.FieldLabels.Contains(field) ||
        type.FieldLabelPrefixes.Any(p => field.StartsWith(p, StringComparison.Ordinal));

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, value, negated) in _terms)
        {
            var path = field == "source" ? "source.component" : field;
            var actual = Jn.ScalarText(Jn.AtDotted(obj, path));
            if ((actual == value) == negated)
            {
                return false;
            }
        }

        return true;
    }
}
