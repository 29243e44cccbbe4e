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
            var value = has ? JsonNodes.ScalarText(labels![r.Key]) : null;
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
