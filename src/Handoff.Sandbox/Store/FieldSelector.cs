using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

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
            var actual = JsonNodes.ScalarText(JsonNodes.AtDotted(obj, path));
            if ((actual == value) == negated)
            {
                return false;
            }
        }

        return true;
    }
}
